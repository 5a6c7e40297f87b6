import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GenerativeModel, StepResult } from "../types.js";

/** One node of an mctx golden tree (`tree_to_pytree` output); bare children carry only action and prior. */
export interface GoldenNode {
  action?: number;
  prior: number;
  child_stats: GoldenNode[];
  visit?: number;
  value_view?: number;
  raw_value_view?: number;
  reward?: number;
  evaluation_index?: number;
}

/** A golden file: the algorithm, its configuration and the tree mctx produced. */
export interface GoldenFile {
  algorithm: "muzero" | "gumbel_muzero";
  algorithm_config: Record<string, unknown> & { qtransform_kwargs?: Record<string, number | boolean> };
  env_config: { discount: number; zero_reward: boolean };
  tree: GoldenNode;
}

/** The shared data folder: FORESIGHT_DATA_DIR, else ../shared/data next to the workspace root. */
export function dataDir(): string {
  if (process.env.FORESIGHT_DATA_DIR) return resolve(process.env.FORESIGHT_DATA_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "..", "..", "..", "..", "..", "shared", "data");
}

function fail(file: string, field: string, message: string): never {
  throw new Error(`${file} (field ${field}): ${message}`);
}

function checkNode(file: string, node: unknown, path: string): GoldenNode {
  if (node === null || typeof node !== "object") fail(file, path, "must be an object");
  const n = node as Record<string, unknown>;
  if (typeof n.prior !== "number") fail(file, `${path}.prior`, "must be a number");
  if (!Array.isArray(n.child_stats)) fail(file, `${path}.child_stats`, "must be an array");
  if (n.visit !== undefined) {
    for (const key of ["visit", "value_view", "raw_value_view"]) if (typeof n[key] !== "number") fail(file, `${path}.${key}`, "must be a number");
  }
  n.child_stats.forEach((c, i) => checkNode(file, c, `${path}.child_stats[${i}]`));
  return n as unknown as GoldenNode;
}

/** Loads and checks a golden tree file from `mctx/`; fails loudly (naming the file) when it is missing or malformed. */
export function loadGolden(name: string): GoldenFile {
  const file = join(dataDir(), "mctx", name);
  if (!existsSync(file)) throw new Error(`${file}: mctx golden tree not found; set FORESIGHT_DATA_DIR to the shared data folder`);
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (raw.algorithm !== "muzero" && raw.algorithm !== "gumbel_muzero") fail(file, "algorithm", `unknown "${String(raw.algorithm)}"`);
  if (typeof raw.algorithm_config !== "object" || raw.algorithm_config === null) fail(file, "algorithm_config", "must be an object");
  const env = raw.env_config as Record<string, unknown> | undefined;
  if (typeof env?.discount !== "number") fail(file, "env_config.discount", "must be a number");
  checkNode(file, raw.tree, "tree");
  return raw as unknown as GoldenFile;
}

/**
 * A model that replays the stored network outputs: a state is a golden node; its prior is its children's priors,
 * its value its raw value, and stepping returns the child with its stored reward. Expanding an action the golden
 * search never expanded is an error (the search diverged).
 */
export function replayModel(golden: GoldenFile): GenerativeModel<GoldenNode, number> {
  const numActions = golden.tree.child_stats.length;
  const actions = Array.from({ length: numActions }, (_, i) => i);
  return {
    actions: () => actions,
    prior: (state) => state.child_stats.map((c) => c.prior),
    step: (state, action): StepResult<GoldenNode> => {
      const child = state.child_stats[action];
      if (!child || child.visit === undefined) {
        throw new Error(`search expanded action ${action} below evaluation ${state.evaluation_index}, which mctx never expanded`);
      }
      return { state: child, reward: golden.env_config.zero_reward ? 0 : child.reward ?? 0, terminal: false };
    },
    evaluate: (state) => state.raw_value_view ?? NaN,
  };
}
