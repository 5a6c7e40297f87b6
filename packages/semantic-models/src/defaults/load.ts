import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HashedEncoder } from "../encoder/hashed-encoder.js";
import { MixtureModel, ScalarModel } from "../heads/runtime.js";
import type { SessionOptions } from "../session.js";
import { SemanticWorldModel } from "../world-model.js";

/** File stems (manifest `<name>.json`, model `<name>.onnx`) of the default models under `models/`. */
export const DEFAULT_MODEL_NAMES = {
  encoder: "encoder",
  actionEnsemble: "action-ensemble",
  actionMdn: "action-mdn",
  transitionEnsemble: "transition-ensemble",
  transitionMdn: "transition-mdn",
  reward: "reward-length",
  value: "value-multiwoz",
} as const;

function findWorkspaceRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The folder of the default models: `explicit`, else env `FORESIGHT_MODELS_DIR`, else `models/` at the workspace
 * root found from the working directory, else the one next to this package in the repository.
 */
export function resolveModelsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.FORESIGHT_MODELS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const root = findWorkspaceRoot(process.cwd()) ?? findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
  return resolve(root ?? process.cwd(), "models");
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
}

/** Loads (and verifies) the default encoder, action, transition and reward models as a {@link SemanticWorldModel}. */
export async function loadDefaultWorldModel(options: DefaultWorldModelOptions = {}): Promise<SemanticWorldModel> {
  const { modelsDir, heads = "ensemble", ...session } = options;
  const path = (name: string) => defaultManifestPath(name, modelsDir);
  const [encoder, action, transition, reward] = await Promise.all([
    HashedEncoder.load(path(DEFAULT_MODEL_NAMES.encoder), session),
    MixtureModel.load(path(heads === "mdn" ? DEFAULT_MODEL_NAMES.actionMdn : DEFAULT_MODEL_NAMES.actionEnsemble), session),
    MixtureModel.load(path(heads === "mdn" ? DEFAULT_MODEL_NAMES.transitionMdn : DEFAULT_MODEL_NAMES.transitionEnsemble), session),
    ScalarModel.load(path(DEFAULT_MODEL_NAMES.reward), session),
  ]);
  return new SemanticWorldModel({ encoder, action, transition, reward });
}
