import { formatSemanticTable, runSemanticSuite, semanticReport } from "@foresight/bench";
import { ModelLoadError } from "@foresight/semantic-models";
import { UsageError, parseFlags, parseIntFlag, type Command } from "../command.js";

/** `foresight bench semantic [--json] [--seed N] [--seconds S] [--batches 1,64,256] [--threads N] [--models DIR]`. */
export const benchSemanticCommand: Command = {
  path: ["bench", "semantic"],
  summary: "Semantic world-model speed: transitions/s at batch 1, 64, 256 with the default ONNX models",
  usage: [
    "Usage: foresight bench semantic [--json] [--seed N] [--seconds S] [--batches 1,64,256] [--threads N] [--models DIR]",
    "",
    "  Loads the default encoder, action, transition and reward models (ensemble and MDN heads) and measures",
    "  state transitions per second: `step` = transition sample + reward F_R(s′) − F_R(s); `rollout` = action sample",
    "  then step (rollouts restart every 6 steps).",
    "",
    "  --json        print one JSON object {suite, machine, commit, seed, rows}",
    "  --seed N      sampling seed (default 1)",
    "  --seconds S   wall-clock budget per case (default 1)",
    "  --batches L   comma-separated batch sizes (default 1,64,256)",
    "  --threads N   onnxruntime intra-op threads (default 1)",
    "  --models DIR  folder of the default models (default: the repository's models/)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: "boolean" }, seed: { type: "string" }, seconds: { type: "string" }, batches: { type: "string" }, threads: { type: "string" }, models: { type: "string" } });
    const seed = parseIntFlag("seed", values.seed, 1);
    const seconds = values.seconds === undefined ? 1 : Number(values.seconds);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds must be a positive number, got "${values.seconds}"`);
    const batches = (values.batches ?? "1,64,256").split(",").map((b) => {
      if (!/^\d+$/.test(b.trim()) || Number(b) < 1) throw new UsageError(`--batches must be positive integers separated by commas, got "${values.batches}"`);
      return Number(b);
    });
    const threads = values.threads === undefined ? undefined : parseIntFlag("threads", values.threads, 1);
    if (threads !== undefined && threads < 1) throw new UsageError(`--threads must be at least 1, got ${threads}`);
    let rows;
    try {
      rows = await runSemanticSuite({ seed, seconds, batches, ...(threads ? { threads } : {}), ...(values.models ? { modelsDir: values.models } : {}) });
    } catch (error) {
      if (!(error instanceof ModelLoadError)) throw error;
      io.err(`foresight bench semantic: ${error.message}\n(train the default models with \`foresight train all\`)`);
      return 1;
    }
    io.out(values.json ? JSON.stringify(semanticReport(rows)) : formatSemanticTable(rows));
    return 0;
  },
};
