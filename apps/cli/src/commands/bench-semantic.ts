import { formatSemanticTable, runSemanticSuite, semanticReport } from "@foresight/bench";
import { createProgress } from "../progress.js";
import { ModelLoadError } from "@foresight/semantic-models";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, requireInputDir, type Command } from "../command.js";
import { MAX_BENCH_SECONDS } from "./bench.js";

/** The most onnxruntime threads `--threads` accepts. */
export const MAX_BENCH_THREADS = 64;
/** The largest batch size and the most batch sizes `--batches` accepts. */
export const MAX_BENCH_BATCH = 4096;
export const MAX_BENCH_BATCH_COUNT = 16;

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
    "  --seed N      sampling seed, 0 to 4294967295 (default 1)",
    `  --seconds S   wall-clock budget per case, above 0 and at most ${MAX_BENCH_SECONDS} (default 1)`,
    `  --batches L   comma-separated batch sizes, each 1 to ${MAX_BENCH_BATCH}, at most ${MAX_BENCH_BATCH_COUNT} (default 1,64,256)`,
    `  --threads N   onnxruntime intra-op threads, 1 to ${MAX_BENCH_THREADS} (default 1)`,
    "  --models DIR  folder of the default models (default: the repository's models/)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: "boolean" }, seed: { type: "string" }, seconds: { type: "string" }, batches: { type: "string" }, threads: { type: "string" }, models: { type: "string" } });
    const seed = parseSeedFlag(values.seed, 1);
    const seconds = values.seconds === undefined ? 1 : Number(values.seconds);
    if (values.seconds?.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_BENCH_SECONDS) {
      throw new UsageError(`--seconds must be a number above 0 and at most ${MAX_BENCH_SECONDS}, got "${values.seconds}"`);
    }
    const batchList = (values.batches ?? "1,64,256").split(",");
    const batches = batchList.map((b) => {
      if (!/^\d+$/.test(b.trim()) || Number(b) < 1 || Number(b) > MAX_BENCH_BATCH || batchList.length > MAX_BENCH_BATCH_COUNT) {
        throw new UsageError(`--batches must be positive integers separated by commas, each at most ${MAX_BENCH_BATCH}, at most ${MAX_BENCH_BATCH_COUNT} of them; got "${values.batches}"`);
      }
      return Number(b);
    });
    const threads = values.threads === undefined ? undefined : parseIntFlag("threads", values.threads, 1, { min: 1, max: MAX_BENCH_THREADS });
    if (values.models !== undefined) requireInputDir("--models", values.models);
    let rows;
    const progress = createProgress({ plain: values.json ?? false });
    try {
      rows = await runSemanticSuite({
        seed,
        seconds,
        batches,
        ...(threads ? { threads } : {}),
        ...(values.models ? { modelsDir: values.models } : {}),
        onProgress: (done, total, label) => progress.update(done, total, `bench semantic: ${label} heads`),
      });
    } catch (error) {
      if (!(error instanceof ModelLoadError)) throw error;
      io.err(`foresight bench semantic: ${error.message}\n(train the default models with \`foresight train all\`)`);
      return 1;
    } finally {
      progress.stop();
    }
    io.out(values.json ? JSON.stringify(semanticReport(rows)) : formatSemanticTable(rows));
    return 0;
  },
};
