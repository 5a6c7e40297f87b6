import { resolveDataDir } from "@foresight/dialogue";
import { DEFAULT_TRAIN_SCALE, resolveModelsDir, TINY_TRAIN_SCALE, TRAINABLE_MODELS, trainDefaultModels, type TrainableModel } from "@foresight/semantic-models";
import { UsageError, parseFlags, parseSeedFlag, requireInputDir, requireWritableOut, type Command } from "../command.js";

/** `foresight train <model> [--seed N] [--out DIR] [--data-dir DIR] [--tiny] [--json]`. */
export const trainCommand: Command = {
  path: ["train"],
  summary: "Train a default model (encoder, action, transition, reward, value, all) from ../shared/data",
  usage: [
    "Usage: foresight train <encoder|action|transition|reward|value|all> [--seed N] [--out DIR] [--data-dir DIR] [--tiny] [--json]",
    "",
    "  Trains the default model(s) with the project's own code and writes <name>.onnx + <name>.json (manifest with",
    "  data, split, seed, metrics, sha256). action/transition/reward/value embed with the encoder already in --out.",
    "",
    "  --seed N    training seed, 0 to 4294967295 (default 1); the same seed reproduces the same files",
    "  --out DIR   output folder, checked before training starts (default: the repository's models/ or",
    "              FORESIGHT_MODELS_DIR; required with --tiny, so a smoke run never replaces the committed models)",
    "  --data-dir DIR  the shared data folder (default FORESIGHT_DATA_DIR or ../shared/data beside the workspace)",
    "  --tiny      a tiny scale for smoke tests (seconds; not the committed models)",
    "  --json      print the manifests as JSON instead of progress and a summary",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { seed: { type: "string" }, out: { type: "string" }, "data-dir": { type: "string" }, tiny: { type: "boolean" }, json: { type: "boolean" } }, true);
    const model = positionals[0];
    if (positionals.length !== 1 || !TRAINABLE_MODELS.includes(model as TrainableModel)) {
      throw new UsageError(`expected one model name (${TRAINABLE_MODELS.join(", ")}), got ${positionals.length === 0 ? "none" : `"${positionals.join(" ")}"`}`);
    }
    const seed = parseSeedFlag(values.seed, 1);
    if (values.tiny && values.out === undefined) {
      throw new UsageError("--tiny needs --out DIR: a tiny smoke-test run never writes into the committed models/");
    }
    const outFlag = values.out !== undefined ? "--out" : process.env.FORESIGHT_MODELS_DIR ? "FORESIGHT_MODELS_DIR" : "the models folder";
    // Checked before any work: a finished training run is never lost to an unwritable output folder.
    const outDir = requireWritableOut(outFlag, values.out ?? resolveModelsDir(), "folder");
    if (values["data-dir"] !== undefined) requireInputDir("--data-dir", values["data-dir"]);
    const manifests = await trainDefaultModels(model as TrainableModel, {
      outDir,
      seed,
      scale: values.tiny ? TINY_TRAIN_SCALE : DEFAULT_TRAIN_SCALE,
      ...(values["data-dir"] ? { dataDir: resolveDataDir(values["data-dir"], "--data-dir") } : {}),
      command: `foresight train ${model} --seed ${seed}${values.tiny ? " --tiny" : ""}`,
      log: values.json ? () => {} : (line) => io.err(line),
    });
    if (values.json) io.out(JSON.stringify(manifests, null, 2));
    else for (const m of manifests) io.out(`${outDir}/${m.name}.json  ${m.bytes} bytes  ${JSON.stringify(m.metrics)}`);
    return 0;
  },
};
