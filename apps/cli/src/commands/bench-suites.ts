import { BenchError, DEFAULT_QUEUE, closeBench, defaultOutDir, gitCommit, mergeBench, parseShard, queueExecutor, runBench, startWorker, suites, type Suite, type SuiteRun } from "@foresight/bench";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command, type CommandIO } from "../command.js";
import { createProgress } from "../progress.js";
import { LLM_ENV, LlmConfigError, buildChatModel, requireChatModelFromEnv, type ChatModel } from "@foresight/llm-sim";

/**
 * The model of a live run: `--live` — the configured endpoint (FORESIGHT_LLM_*) behind the response cache, which
 * stores every answer; `--replay` — the cache alone (replay-only: a missing answer is an error, the endpoint is never
 * called), for the model named by FORESIGHT_LLM_MODEL. Neither: undefined (the suites' offline roles).
 */
function liveModel(values: { live?: boolean; replay?: boolean }): ChatModel | undefined {
  if (values.live && values.replay) throw new UsageError("choose one of --live and --replay");
  try {
    if (values.live) return buildChatModel(requireChatModelFromEnv(), { cache: { mode: "read-write" } });
  } catch (error) {
    if (error instanceof LlmConfigError) throw new UsageError(`--live: ${error.message}`);
    throw error;
  }
  if (!values.replay) return undefined;
  const id = process.env[LLM_ENV.model]?.trim();
  if (!id) throw new UsageError(`--replay needs ${LLM_ENV.model} naming the model the live run used`);
  const unreachable: ChatModel = { id, complete: () => Promise.reject(new LlmConfigError("--replay never calls the endpoint")) };
  return buildChatModel(unreachable, { cache: { mode: "replay-only" }, retry: false });
}

function scaleOf(values: { quick?: boolean; full?: boolean; scale?: string }): string {
  const chosen = [values.quick && "quick", values.full && "full", values.scale].filter(Boolean) as string[];
  if (chosen.length > 1) throw new UsageError(`choose one of --quick, --full and --scale, got ${chosen.join(" and ")}`);
  const scale = chosen[0] ?? "quick";
  if (!/^[\w.-]+$/.test(scale)) throw new UsageError(`--scale must be a plain label (letters, digits, . _ -), got "${scale}"`);
  return scale;
}

function describeRuns(runs: readonly SuiteRun[], io: CommandIO): void {
  for (const run of runs) {
    const resumed = run.resumed > 0 ? `, ${run.resumed} resumed` : "";
    const where = run.written ? `${run.dir}/report.md` : run.complete ? `${run.dir} (shard: join with \`foresight bench merge\`)` : run.dir;
    io.out(`${run.suite}: ${run.finished}/${run.total} episodes${resumed} → ${where}`);
  }
}

/** Prints the runs' reports (JSON) or their folders and the headline table; returns the exit code. */
function finish(runs: readonly SuiteRun[], outDir: string, json: boolean, single: boolean, io: CommandIO): number {
  const incomplete = runs.filter((run) => !run.complete);
  const { lines, table } = closeBench(outDir, runs);
  if (json) {
    const reports = runs.flatMap((run) => (run.written ? [run.written.report] : []));
    io.out(JSON.stringify(single && reports.length === 1 ? reports[0] : { outDir, reports, headline: lines }));
  } else {
    describeRuns(runs, io);
    if (runs.some((run) => run.written)) io.out(`\n${table}`);
  }
  if (incomplete.length > 0) {
    io.err(`interrupted: ${incomplete.map((run) => `${run.suite} ${run.finished}/${run.total}`).join(", ")} episodes finished; run the same command again to resume`);
    return 130;
  }
  return 0;
}

async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // The first Ctrl-C stops between episodes (finished ones are kept); a second one ends the process as usual.
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}

function benchErrors(io: CommandIO, path: string, error: unknown): number {
  if (error instanceof BenchError) {
    io.err(`foresight ${path}: ${error.message}`);
    return 1;
  }
  throw error;
}

/** `foresight bench [suite…] [--quick|--full|--scale L] [--json] [--seed N] [--out DIR] [--shard i/n] [--data-dir DIR]` over these suites. */
export function createBenchSuitesCommand(suiteList: readonly Suite[]): Command {
  return {
    path: ["bench"],
    summary: "Planner suites against their baselines: episodes JSONL, summary.json, report.md, plots, headline table",
    usage: [
      "Usage: foresight bench [suite…] [--quick|--full|--scale LABEL] [--json] [--seed N] [--out DIR] [--shard i/n] [--redis URL] [--data-dir DIR]",
      "",
      `  Suites: ${suiteList.map((suite) => suite.name).join(", ") || "(none registered yet)"}; with none named, every suite runs.`,
      "  Speed suites have their own commands: foresight bench mcts, foresight bench semantic.",
      "  Each suite writes <out>/<suite>/: run.json, episodes.jsonl (appended as episodes finish), summary.json (the",
      "  deterministic report: rows with mean ± stderr and bootstrap 95 % CIs, paired comparisons), timings.json,",
      "  report.md and plots/*.svg. Re-running the same command resumes: finished episodes are skipped, never repeated.",
      "  The run ends with one table: each system against its best baseline, the paired difference and its CI, and costs.",
      "",
      "  --quick        small scale, minutes on 2 cores (default)",
      "  --full         the committed scale",
      "  --scale LABEL  another scale a suite defines",
      "  --json         print the report (one suite) or {outDir, reports, headline} as JSON",
      "  --seed N       seed of the run (default 1)",
      "  --out DIR      root output folder (default bench-results/<scale>-seed-<seed>)",
      "  --shard i/n    run only the i-th of n deterministic parts; join the parts with `foresight bench merge`",
      "  --redis URL    enqueue the episodes on BullMQ at this Redis and collect what `foresight bench worker` processes",
      "                 on any machine return (same report as a local run; a worker that dies has its episode retried)",
      "  --queue NAME   the BullMQ queue (default foresight-bench)",
      "  --live         play the suites' LLM roles with the endpoint configured by FORESIGHT_LLM_BASE_URL / _MODEL /",
      "                 _API_KEY, through the response cache (.foresight-cache/llm); suites without LLM roles ignore it",
      "  --replay       the same from the response cache only (offline, byte for byte; needs FORESIGHT_LLM_MODEL)",
      "  --data-dir DIR the shared data folder (default FORESIGHT_DATA_DIR or ../shared/data)",
    ].join("\n"),
    async run(argv, io) {
      const { values, positionals } = parseFlags(
        argv,
        {
          quick: { type: "boolean" },
          full: { type: "boolean" },
          scale: { type: "string" },
          json: { type: "boolean" },
          seed: { type: "string" },
          out: { type: "string" },
          shard: { type: "string" },
          redis: { type: "string" },
          queue: { type: "string" },
          live: { type: "boolean" },
          replay: { type: "boolean" },
          "data-dir": { type: "string" },
        },
        true,
      );
      const llm = liveModel(values);
      const scale = scaleOf(values);
      const seed = parseSeedFlag(values.seed, 1);
      const outDir = values.out ?? defaultOutDir(scale, seed);
      try {
        const shard = values.shard === undefined ? undefined : parseShard(values.shard);
        const progress = createProgress({ plain: values.json });
        const commit = gitCommit();
        const redis = values.redis;
        const executor = redis === undefined ? undefined : () => queueExecutor({ url: redis, queueName: values.queue, scale, commit, dataDir: values["data-dir"], llm: llm?.id });
        const runs = await withInterrupt((signal) =>
          runBench({ suites: suiteList, names: positionals, scale, seed, outDir, shard, dataDir: values["data-dir"], signal, onProgress: progress.update, commit, executor, llm }).finally(() => progress.stop()),
        );
        if (runs.length === 0) {
          io.err("foresight bench: no planner suite is registered yet (apps/bench/src/suites/index.ts)");
          return 0;
        }
        return finish(runs, outDir, values.json ?? false, positionals.length === 1, io);
      } catch (error) {
        return benchErrors(io, "bench", error);
      }
    },
  };
}

/** `foresight bench …` over the shipped planner suites. */
export const benchSuitesCommand = createBenchSuitesCommand(suites);

/** `foresight bench merge DIR… [--out DIR] [--json]` over these suites. */
export function createBenchMergeCommand(suiteList: readonly Suite[]): Command {
  return {
    path: ["bench", "merge"],
    summary: "Join the outputs of `foresight bench --shard i/n` runs into one report, identical to an unsharded run's",
    usage: [
      "Usage: foresight bench merge DIR… [--out DIR] [--json]",
      "",
      "  Each DIR is a suite's run folder (holding run.json) or a root folder of several; all n shards of a suite, its",
      "  scale, seed and commit must agree. Writes <out>/<suite>/ as an unsharded run would and prints the headline table.",
      "",
      "  --out DIR  where to write (default bench-results/merged)",
      "  --json     print the report (one suite) or {outDir, reports, headline} as JSON",
    ].join("\n"),
    async run(argv, io) {
      const { values, positionals } = parseFlags(argv, { out: { type: "string" }, json: { type: "boolean" } }, true);
      if (positionals.length === 0) throw new UsageError("name the shard folders to merge");
      const outDir = values.out ?? "bench-results/merged";
      try {
        const runs = await mergeBench(suiteList, positionals, outDir);
        return finish(runs, outDir, values.json ?? false, runs.length === 1, io);
      } catch (error) {
        return benchErrors(io, "bench merge", error);
      }
    },
  };
}

/** `foresight bench merge …` over the shipped planner suites. */
export const benchMergeCommand = createBenchMergeCommand(suites);

/** `foresight bench worker --redis URL [--queue NAME] [--concurrency N]` over these suites. */
export function createBenchWorkerCommand(suiteList: readonly Suite[]): Command {
  return {
    path: ["bench", "worker"],
    summary: "Run queued bench episodes (BullMQ on Redis) until stopped with Ctrl-C or SIGTERM",
    usage: [
      "Usage: foresight bench worker --redis URL [--queue NAME] [--concurrency N] [--live|--replay]",
      "",
      "  Takes episodes that `foresight bench --redis URL` enqueued, plays them with this checkout's suites and",
      "  returns the records. Run it on any number of machines at the same commit as the producer (a job from another",
      "  commit fails rather than mixing code). A worker that dies mid-episode loses its lock after 30 s and the",
      "  episode is retried on another worker.",
      "",
      `  --queue NAME       the BullMQ queue (default ${DEFAULT_QUEUE})`,
      "  --concurrency N    episodes at once (default 1)",
      "  --live, --replay   as for `foresight bench`: must match the producer's",
    ].join("\n"),
    async run(argv, io) {
      const { values } = parseFlags(argv, { redis: { type: "string" }, queue: { type: "string" }, concurrency: { type: "string" }, live: { type: "boolean" }, replay: { type: "boolean" } });
      const llm = liveModel(values);
      if (values.redis === undefined) throw new UsageError("--redis URL is required");
      const concurrency = parseIntFlag("concurrency", values.concurrency, 1, { min: 1 });
      try {
        const worker = await startWorker({ url: values.redis, suites: suiteList, queueName: values.queue, concurrency, ...(llm ? { llm } : {}), onStart: (spec) => io.err(`episode ${spec.suite} ${spec.planner} ${spec.world} ${spec.unit} seed ${spec.seed}`) });
        io.err(`foresight bench worker: waiting for episodes on ${values.queue ?? DEFAULT_QUEUE} at ${values.redis}`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await worker.close();
        return 0;
      } catch (error) {
        return benchErrors(io, "bench worker", error);
      }
    },
  };
}

/** `foresight bench worker …` over the shipped planner suites. */
export const benchWorkerCommand = createBenchWorkerCommand(suites);
