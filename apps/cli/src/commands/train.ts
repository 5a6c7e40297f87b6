import { resolveDataDir } from "@foresight/dialogue";
import { DEFAULT_TRAIN_SCALE, resolveModelsDir, TINY_TRAIN_SCALE, TRAINABLE_MODELS, trainDefaultModels, type TrainableModel } from "@foresight/semantic-models";
import { runValueFlywheel } from "@foresight/planners";
import { createLexiconHarmfulnessScorer } from "@foresight/rewards";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, requireInputDir, requireWritableOut, type Command } from "../command.js";

/** `foresight train <model> [--seed N] [--out DIR] [--data-dir DIR] [--tiny] [--json]`; `train value [--flywheel] --rounds R` runs the flywheel. */
export const trainCommand: Command = {
  path: ["train"],
  summary: "Train a default model (encoder, action, transition, reward, harm, scope, value, all) from ../shared/data",
  usage: [
    "Usage: foresight train <encoder|action|transition|reward|harm|scope|value|all> [--seed N] [--out DIR] [--data-dir DIR] [--tiny] [--json]",
    "",
    "  Trains the default model(s) with the project's own code and writes <name>.onnx + <name>.json (manifest with",
    "  data, split, seed, metrics, sha256). action/transition/reward/value embed with the encoder already in --out.",
    "",
    "  --seed N    training seed, 0 to 4294967295 (default 1); the same seed reproduces the same files",
    "  --out DIR   output folder, checked before training starts (default: the repository's models/ or",
    "              FORESIGHT_MODELS_DIR; required with --tiny, so a smoke run never replaces the committed models)",
    "  --data-dir DIR  the shared data folder (default FORESIGHT_DATA_DIR or ../shared/data beside the workspace)",
    "  --tiny      a tiny scale for smoke tests (seconds; not the committed models)",
    "  --simulated N  SCOPE steps simulated in the mismatched chat world added to the heads' training data",
    "              (default 4000; 40 with --tiny; 0: corpus only)",
    "  --json      print the manifests as JSON instead of progress and a summary",
    "",
    "  all         every committed model: the encoder, the SCOPE heads and the value models by the flywheel below",
    "              (its --rounds/--goals/--eval-goals/--simulations apply; defaults as for value --flywheel)",
    "  value [--flywheel] [--rounds R] [--goals N] [--eval-goals N] [--simulations S]",
    "              SMCTS-TOD's value models by the self-distillation flywheel (Eq. 28-29; --flywheel says so, and is",
    "              implied): trains the seed value model (value-multiwoz-seed), then R rounds (default 3) of planning on",
    "              N train goals (default 12), fine-tuning on seed + MCTS targets, and SMCTS-TOD's success on N held-out",
    "              goals (default 12; 0 skips) with S simulations per turn (default 32); writes value-multiwoz with every",
    "              round's metrics. There is no value-multiwoz without the flywheel: the seed model is value-multiwoz-seed",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { seed: { type: "string" }, out: { type: "string" }, "data-dir": { type: "string" }, tiny: { type: "boolean" }, json: { type: "boolean" }, flywheel: { type: "boolean" }, rounds: { type: "string" }, goals: { type: "string" }, "eval-goals": { type: "string" }, simulations: { type: "string" }, simulated: { type: "string" } },
      true,
    );
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
    const flywheelFlags = ["rounds", "goals", "eval-goals", "simulations"] as const;
    const givenFlywheelFlag = flywheelFlags.find((flag) => values[flag] !== undefined);
    if (values.flywheel && model !== "value") throw new UsageError(`--flywheel trains the value model only, not "${model}"`);
    if (givenFlywheelFlag && model !== "value" && model !== "all") throw new UsageError(`--${givenFlywheelFlag} is a flywheel setting: use it with value or all`);
    // Parsed before any work, so a bad flag never surfaces after the SCOPE heads of "all" have trained.
    const rounds = parseIntFlag("rounds", values.rounds, 3);
    if (rounds < 1) throw new UsageError(`--rounds must be at least 1, got ${rounds}`);
    const goalsPerRound = parseIntFlag("goals", values.goals, 12);
    if (goalsPerRound < 1) throw new UsageError(`--goals must be at least 1, got ${goalsPerRound}`);
    const evalGoals = parseIntFlag("eval-goals", values["eval-goals"], 12);
    const simulations = parseIntFlag("simulations", values.simulations, 32);
    const scale = values.tiny ? TINY_TRAIN_SCALE : DEFAULT_TRAIN_SCALE;
    const log = values.json ? () => {} : (line: string) => io.err(line);
    // Every flag that changes a model is in its manifest's command, so the command reproduces it.
    const flagText = (flags: readonly (typeof flywheelFlags)[number][]) => flags.map((flag) => (values[flag] !== undefined ? ` --${flag} ${values[flag]}` : "")).join("");
    /** SMCTS-TOD's flywheel: the seed value model, then the rounds of self-distillation (the committed value models). */
    const flywheel = (command: string) => runValueFlywheel({ rounds, goalsPerRound, evalGoals, simulations, seed, outDir, scale, ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}), command, log });
    // The value models are the flywheel's, with or without --flywheel: a seed model alone never lands under
    // value-multiwoz (the planner's default). One command text, so both spellings write the same files.
    if (model === "value") {
      const { manifest } = await flywheel(`foresight train value --flywheel --rounds ${rounds}${flagText(["goals", "eval-goals", "simulations"])} --seed ${seed}${values.tiny ? " --tiny" : ""}`);
      if (values.json) io.out(JSON.stringify(manifest, null, 2));
      else io.out(`${outDir}/${manifest.name}.json  ${manifest.bytes} bytes  ${JSON.stringify(manifest.metrics)}`);
      return 0;
    }
    // The harmfulness head learns the rewards package's text scorer (the lexicon stand-in without a Llama Guard endpoint).
    const harm = createLexiconHarmfulnessScorer();
    const simulated = values.simulated === undefined ? undefined : parseIntFlag("simulated", values.simulated, 0, { min: 0 });
    const command = `foresight train ${model}${model === "all" ? flagText(flywheelFlags) : ""} --seed ${seed}${values.tiny ? " --tiny" : ""}${simulated === undefined ? "" : ` --simulated ${simulated}`}`;
    const manifests = await trainDefaultModels(model as TrainableModel, {
      outDir,
      seed,
      scale,
      ...(values["data-dir"] ? { dataDir: resolveDataDir(values["data-dir"], "--data-dir") } : {}),
      command,
      ...(simulated === undefined ? {} : { simulatedSteps: simulated }),
      harmfulness: (text) => harm.scoreSync(text).probability,
      harmfulnessName: harm.name,
      // "all" writes the committed set: its value models are the flywheel's (`train value --flywheel`), not the seed model alone.
      ...(model === "all"
        ? {
            trainValue: async () => {
              const { seedManifest, manifest } = await flywheel(command);
              return [seedManifest, manifest];
            },
          }
        : {}),
      log,
    });
    if (values.json) io.out(JSON.stringify(manifests, null, 2));
    else for (const m of manifests) io.out(`${outDir}/${m.name}.json  ${m.bytes} bytes  ${JSON.stringify(m.metrics)}`);
    return 0;
  },
};
