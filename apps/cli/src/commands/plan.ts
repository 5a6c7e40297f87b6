import { resolveDataDir } from "@foresight/dialogue";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command, type CommandIO } from "../command.js";

/** Parses `--set key=value` pairs into planner settings (numbers and booleans are converted; the planner validates). */
export function parseSettings(pairs: readonly string[] | undefined): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    settings[key] = raw === "true" ? true : raw === "false" ? false : raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return settings;
}

function formatValue(value: number | null): string {
  return value === null || Number.isNaN(value) ? "—" : value.toFixed(3);
}

/** `foresight plan <planner> …`: plans one turn of a held-out conversation with any registered planner. */
export const planCommand: Command = {
  path: ["plan"],
  summary: "plan one turn of a held-out conversation with a planner (scope, gdpzero, smcts-tod, sgm, baselines)",
  usage: [
    "Usage: foresight plan <planner> [--seed N] [--iterations N] [--time-ms MS] [--task ID] [--goal ID] [--world W] [--set key=value]… [--json] [--data-dir DIR] [--models-dir DIR]",
    "",
    "Plans one agent turn of a conversation from the held-out side of the planner's corpus, offline by default",
    "(with FORESIGHT_LLM_BASE_URL set, LLM-backed planners use that endpoint). Prints the decision, every candidate",
    "with its visits, Q and prior, and the search statistics.",
    "",
    "  --seed N          seed of the conversation choice and of the search (default 1)",
    "  --iterations N    simulation budget (default: the planner's own)",
    "  --time-ms MS      wall-clock budget in milliseconds",
    "  --task ID         SOP task (sgm and its baselines)",
    "  --goal ID         MultiWOZ (or SGD) goal id (smcts-tod and its baselines)",
    "  --world W         the TOD world of smcts-tod and its baselines: multiwoz (default) or sgd (a held-out SGD service)",
    "  --set key=value   a planner setting, repeatable (e.g. --set depth=4)",
    "  --json            print the decision as JSON",
    "  --data-dir DIR    the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data beside the workspace)",
    "  --models-dir DIR  the models folder (default: env FORESIGHT_MODELS_DIR, else the embedded default models)",
    "",
    "Run `foresight plan --list` for the planners.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags(
      argv,
      {
        seed: { type: "string" },
        iterations: { type: "string" },
        "time-ms": { type: "string" },
        task: { type: "string" },
        goal: { type: "string" },
        world: { type: "string" },
        set: { type: "string", multiple: true },
        json: { type: "boolean" },
        list: { type: "boolean" },
        "data-dir": { type: "string" },
        "models-dir": { type: "string" },
      },
      true,
    );
    // Loaded here, not at the top: the planners pull in ONNX and the corpora, which `--help` must not pay for.
    const { listPlanners, plannerFactory } = await import("@foresight/planners");
    if (values.list) {
      for (const factory of listPlanners()) io.out(`${factory.name.padEnd(16)} ${factory.domain.padEnd(11)} ${factory.summary}`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "name a planner (foresight plan --list)" : `one planner at a time, got ${positionals.join(", ")}`);
    let factory;
    try {
      factory = plannerFactory(positionals[0]!);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const seed = parseSeedFlag(values.seed, 1);
    const iterations = values.iterations === undefined ? undefined : parseIntFlag("iterations", values.iterations, 0);
    if (iterations !== undefined && iterations < 1) throw new UsageError(`--iterations must be at least 1, got "${values.iterations}"`);
    const timeMs = values["time-ms"] === undefined ? undefined : Number(values["time-ms"]);
    if (timeMs !== undefined && !(timeMs > 0)) throw new UsageError(`--time-ms must be a positive number, got "${values["time-ms"]}"`);
    const dataDir = resolveDataDir(values["data-dir"]);
    const context: Record<string, string> = {};
    if (values.task !== undefined) context.task = values.task;
    if (values.goal !== undefined) context.goal = values.goal;
    if (values.world !== undefined) {
      if (factory.domain !== "tod") throw new UsageError(`--world picks the world of the TOD planners (smcts-tod and its baselines), not of ${factory.name}`);
      context.world = values.world;
    }
    if (!factory.heldOutConversation) throw new UsageError(`planner "${factory.name}" has no held-out conversations to plan for`);
    const conversation = await factory.heldOutConversation({ seed, dataDir, context });
    const planner = await factory.create({ dataDir, ...(values["models-dir"] === undefined ? {} : { modelsDir: values["models-dir"] }) });
    try {
      const budget = { ...(iterations === undefined ? {} : { iterations }), ...(timeMs === undefined ? {} : { timeMs }) };
      const decision = await planner.plan(conversation, { seed, budget, settings: parseSettings(values.set) });
      if (values.json) {
        io.out(JSON.stringify({ conversation, decision }, null, 2));
        return 0;
      }
      io.out(`Conversation (${conversation.turns.length} turns, last ${Math.min(4, conversation.turns.length)} shown):`);
      for (const turn of conversation.turns.slice(-4)) io.out(`  ${turn.speaker === "agent" ? "Agent" : "User "}${turn.act ? ` [${turn.act}]` : ""}: ${turn.text}`);
      io.out("");
      const chosenGloss = decision.candidates.find((c) => c.act !== undefined && c.act === decision.act)?.details?.gloss;
      io.out(`Decision of ${decision.planner}${decision.act ? `: act ${decision.act}${typeof chosenGloss === "string" ? ` (${chosenGloss})` : ""}` : ""}${decision.degraded ? ` (degraded: ${decision.degraded.reason})` : ""}`);
      if (decision.reply !== undefined) io.out(`  reply: ${decision.reply}`);
      io.out("");
      io.out(`  ${"candidate".padEnd(48)} ${"visits".padStart(7)} ${"Q".padStart(8)} ${"prior".padStart(7)}`);
      for (const c of decision.candidates) {
        // An act's English gloss (SOPDAIL's Chinese node names) goes next to it when the planner gives one.
        const gloss = typeof c.details?.gloss === "string" ? ` (${c.details.gloss})` : "";
        const label = (c.act ? `[${c.act}${gloss}] ` : "") + (c.text ?? "");
        io.out(`  ${(label.length > 48 ? `${label.slice(0, 45)}...` : label).padEnd(48)} ${String(c.visits).padStart(7)} ${formatValue(c.value).padStart(8)} ${c.prior.toFixed(3).padStart(7)}`);
      }
      const s = decision.stats;
      io.out("");
      io.out(
        `  simulations ${s.simulations} · model calls ${s.modelCalls}${s.modelRows === undefined ? "" : ` (${s.modelRows} rows)`} · LLM calls ${s.llmCalls} · tokens ${s.tokens} · ${s.wallMs.toFixed(0)} ms` +
          ` (${s.wallMs > 0 ? ((s.simulations / s.wallMs) * 1000).toFixed(0) : "—"} simulations/s) · stopped by ${s.stopReason}`,
      );
      if (s.roleCalls) io.out(`  role calls: ${Object.entries(s.roleCalls).map(([k, v]) => `${k} ${v}`).join(", ")}`);
      if (s.counters && Object.keys(s.counters).length > 0) io.out(`  counters: ${Object.entries(s.counters).map(([k, v]) => `${k} ${v}`).join(", ")}`);
      io.out(`  trace ${decision.traceId}`);
      return 0;
    } finally {
      await planner.close?.();
    }
  },
};
