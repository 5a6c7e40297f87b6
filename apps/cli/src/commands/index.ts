import { lazy, type Command, type CommandEntry } from "../command.js";

/** The command of `list` at `path` (for modules that export several commands as one list). */
function pick(list: readonly Command[], path: string): Command {
  const command = list.find((c) => c.path.join(" ") === path);
  if (!command) throw new Error(`no command "${path}" in its module`);
  return command;
}

/**
 * Every `foresight` subcommand. Each lives in its own file in this folder; add it here with {@link lazy}, so its
 * module (and what it imports) loads only when it runs or its `--help` is shown. The summary must equal the
 * command's own (a test checks it).
 */
export const commands: CommandEntry[] = [
  lazy(["corpus", "stats"], "count dialogues, turns and acts of every shared corpus", () => import("./corpus.js").then((m) => m.corpusStatsCommand)),
  lazy(["simulate", "multiwoz"], "simulate a MultiWOZ dialogue offline (agenda user, template NLG, DB-grounded system)", () =>
    import("./simulate-multiwoz.js").then((m) => m.simulateMultiWozCommand),
  ),
  lazy(["simulate"], "simulate a whole dialogue offline in a corpus world (p4g, chat, sop)", () => import("./simulate.js").then((m) => m.simulateCommand)),
  lazy(["sop", "check"], "validate an SOP (SOPDAIL task, adjacency-list JSON or mermaid)", () => import("./sop.js").then((m) => m.sopCheckCommand)),
  lazy(["sop", "metrics"], "GED, GEDR and Start→End path P/R/F1 of a predicted SOP against a gold one", () => import("./sop.js").then((m) => m.sopMetricsCommand)),
  lazy(["sac", "annotate"], "annotate a corpus with SAGE states and actions using an LLM endpoint", () => import("./sac.js").then((m) => pick(m.sacCommands, "sac annotate"))),
  lazy(["sac", "export"], "export annotated dialogues in SAC form as ShareGPT JSON or OpenAI fine-tuning JSONL", () =>
    import("./sac.js").then((m) => pick(m.sacCommands, "sac export")),
  ),
  lazy(["sac", "stats"], "distributions of annotated user states and assistant actions (SAGE figure 3)", () => import("./sac.js").then((m) => pick(m.sacCommands, "sac stats"))),
  lazy(["sac", "dpo"], "turn self-play trajectories into DPO preference pairs (chosen vs a seeded random rejected)", () =>
    import("./sac.js").then((m) => pick(m.sacCommands, "sac dpo")),
  ),
  lazy(["evaluate", "multiwoz"], "score the system side of a MultiWOZ split as annotated (Inform, Success, Book)", () =>
    import("./evaluate.js").then((m) => m.evaluateMultiWozCommand),
  ),
  lazy(["bench", "mcts"], "MCTS speed benchmark: iterations/s, async parallelism, bytes per node, ratios to an object-tree baseline", () =>
    import("./bench.js").then((m) => m.benchMctsCommand),
  ),
  lazy(["bench", "semantic"], "Semantic world-model speed: transitions/s at batch 1, 64, 256 with the default ONNX models", () =>
    import("./bench-semantic.js").then((m) => m.benchSemanticCommand),
  ),
  lazy(["train"], "Train a default model (encoder, action, transition, reward, harm, scope, value, all) from ../shared/data", () => import("./train.js").then((m) => m.trainCommand)),
  lazy(["plan"], "plan one turn of a held-out conversation with a planner (scope, gdpzero, smcts-tod, sgm, baselines)", () => import("./plan.js").then((m) => m.planCommand)),
  lazy(["serve"], "run the planning server: /v1/plan, sessions, OpenAI-compatible /v1/chat/completions, /viewer", () => import("./serve.js").then((m) => m.serveCommand)),
  lazy(["bench", "server"], "load-test the planning server on loopback (autocannon): throughput, p50/p99 latency, errors, memory", () =>
    import("./bench-server.js").then((m) => m.benchServerCommand),
  ),
  lazy(["bench"], "Planner suites against their baselines: episodes JSONL, summary.json, report.md, plots, headline table", () =>
    import("./bench-suites.js").then((m) => m.benchSuitesCommand),
  ),
  lazy(["bench", "merge"], "Join the outputs of `foresight bench --shard i/n` runs into one report, identical to an unsharded run's", () =>
    import("./bench-suites.js").then((m) => m.benchMergeCommand),
  ),
  lazy(["bench", "worker"], "Run queued bench episodes (BullMQ on Redis) until stopped with Ctrl-C or SIGTERM", () =>
    import("./bench-suites.js").then((m) => m.benchWorkerCommand),
  ),
];
