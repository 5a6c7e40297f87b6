import { findWorkspaceRoot } from "@foresight/dialogue";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HashedEncoder } from "../encoder/hashed-encoder.js";
import { MixtureModel, ScalarModel } from "../heads/runtime.js";
import { ModelLoadError } from "../manifest.js";
import type { LoadedModel } from "../model-file.js";
import type { SessionOptions } from "../session.js";
import { SemanticWorldModel } from "../world-model.js";

/** File stems (manifest `<name>.json`, model `<name>.onnx`) of the default models under `models/`. */
export const DEFAULT_MODEL_NAMES = {
  encoder: "encoder",
  actionEnsemble: "action-ensemble",
  actionMdn: "action-mdn",
  transitionEnsemble: "transition-ensemble",
  transitionMdn: "transition-mdn",
  /** The transition MDN trained with the harm auxiliary loss (Eq. 13–15): SCOPE's safety planner samples with it. */
  transitionMdnSafety: "transition-mdn-safety",
  reward: "reward-length",
  harm: "reward-harm",
  value: "value-multiwoz",
} as const;

/**
 * The folder of the default models: `explicit`, else env `FORESIGHT_MODELS_DIR`, else — inside this repository — the
 * root `models/` folder where `foresight train` writes them (found from this package's own location), else the
 * `@foresight/models` package installed beside this one. Never the current directory.
 */
export function resolveModelsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.FORESIGHT_MODELS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
  if (root && isForesightRepository(root) && existsSync(join(root, "models", "encoder.json"))) return join(root, "models");
  return packagedModelsDir();
}

/** True for this project's own repository (not a user's workspace that happens to contain us). */
function isForesightRepository(root: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name?: string }).name === "foresight-monorepo";
  } catch {
    return false;
  }
}

/** The models folder of the installed `@foresight/models` package, resolved from this package's location. */
function packagedModelsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("@foresight/models/package.json")), "models");
  } catch {
    throw new ModelLoadError("@foresight/models", "the default models are not installed: add @foresight/models, or set FORESIGHT_MODELS_DIR / pass modelsDir");
  }
}

/** The manifest path of a default model. */
export function defaultManifestPath(name: string, modelsDir?: string): string {
  return join(resolveModelsDir(modelsDir), `${name}.json`);
}

/** Options for loading the default world model. */
export interface DefaultWorldModelOptions extends SessionOptions {
  modelsDir?: string;
  /** Which parameterisation of the action and transition models; default "ensemble". */
  heads?: "ensemble" | "mdn";
  /**
   * Which reward the world gives: human reply length (default) or negative harmfulness; with "harm" and the MDN
   * heads the transition model is `transition-mdn-safety`, trained with the harm auxiliary loss (Eq. 13–15).
   */
  reward?: "length" | "harm";
}

/**
 * Checks that a head was trained on this encoder's embeddings (its manifest's `training.encoderSha256`); a head
 * trained on another encoder would run but predict from vectors it has never seen, so it is refused.
 */
export function checkTrainedOnEncoder(model: LoadedModel, encoder: HashedEncoder): void {
  const recorded = model.manifest.training.encoderSha256;
  if (recorded === undefined) {
    throw new ModelLoadError(model.manifestPath, "does not record the encoder it was trained on; retrain it with `foresight train`", "training.encoderSha256");
  }
  if (recorded !== encoder.sha256) {
    throw new ModelLoadError(
      model.manifestPath,
      `was trained on encoder ${recorded.slice(0, 12)}…, but the encoder loaded with it is ${encoder.sha256.slice(0, 12)}…; retrain the heads with \`foresight train all\``,
      "training.encoderSha256",
    );
  }
}

/**
 * Loads (and verifies) the default encoder, action, transition and reward models as a {@link SemanticWorldModel};
 * every head must have been trained on that encoder. If any model fails, the others' sessions are released.
 */
export async function loadDefaultWorldModel(options: DefaultWorldModelOptions = {}): Promise<SemanticWorldModel> {
  const { modelsDir, heads = "ensemble", reward: rewardKind = "length", ...session } = options;
  const path = (name: string) => defaultManifestPath(name, modelsDir);
  const loads = [
    HashedEncoder.load(path(DEFAULT_MODEL_NAMES.encoder), session),
    MixtureModel.load(path(heads === "mdn" ? DEFAULT_MODEL_NAMES.actionMdn : DEFAULT_MODEL_NAMES.actionEnsemble), session),
    MixtureModel.load(path(heads === "mdn" ? (rewardKind === "harm" ? DEFAULT_MODEL_NAMES.transitionMdnSafety : DEFAULT_MODEL_NAMES.transitionMdn) : DEFAULT_MODEL_NAMES.transitionEnsemble), session),
    ScalarModel.load(path(rewardKind === "harm" ? DEFAULT_MODEL_NAMES.harm : DEFAULT_MODEL_NAMES.reward), session),
  ] as const;
  const settled = await Promise.allSettled(loads);
  const release = () => Promise.all(settled.map((s) => (s.status === "fulfilled" ? s.value.release() : undefined)));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    await release();
    throw failed.reason;
  }
  const [encoder, action, transition, reward] = (await Promise.all(loads)) as [HashedEncoder, MixtureModel, MixtureModel, ScalarModel];
  try {
    for (const head of [action, transition, reward]) checkTrainedOnEncoder(head.model, encoder);
    return new SemanticWorldModel({ encoder, action, transition, reward });
  } catch (error) {
    await release();
    throw error;
  }
}

/** Options for loading the default reward model. */
export interface DefaultRewardModelOptions extends SessionOptions {
  modelsDir?: string;
}

/** Loads (and verifies) the default reward model F_R(s̃) (`models/reward-length`); throws unless it is a reward model. */
export async function loadDefaultRewardModel(options: DefaultRewardModelOptions = {}): Promise<ScalarModel> {
  const { modelsDir, ...session } = options;
  const model = await ScalarModel.load(defaultManifestPath(DEFAULT_MODEL_NAMES.reward, modelsDir), session);
  if (model.model.manifest.kind !== "reward") {
    await model.release();
    throw new ModelLoadError(model.model.manifestPath, `expected a reward model, found ${model.model.manifest.kind}`, "kind");
  }
  return model;
}
