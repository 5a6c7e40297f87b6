import { hashString } from "./rng.js";

/** The three parts of a corpus split. */
export type SplitName = "train" | "dev" | "test";

/** Fractions of the corpus per part; they must sum to 1. */
export interface SplitRatios {
  train: number;
  dev: number;
  test: number;
}

/** The default 80/10/10 split. */
export const DEFAULT_SPLIT_RATIOS: SplitRatios = { train: 0.8, dev: 0.1, test: 0.1 };

/**
 * Assigns one dialogue id to a part. The assignment depends only on the seed and the id (a hash), so it is
 * deterministic and stable when dialogues are added to or removed from the corpus.
 */
export function splitOf(id: string, seed: number, ratios: SplitRatios = DEFAULT_SPLIT_RATIOS): SplitName {
  const total = ratios.train + ratios.dev + ratios.test;
  if (Math.abs(total - 1) > 1e-9 || ratios.train < 0 || ratios.dev < 0 || ratios.test < 0) {
    throw new Error(`split ratios must be non-negative and sum to 1, got train=${ratios.train} dev=${ratios.dev} test=${ratios.test}`);
  }
  const u = hashString(`${seed}\u0000${id}`) / 4294967296;
  if (u < ratios.train) return "train";
  return u < ratios.train + ratios.dev ? "dev" : "test";
}

/** Splits items by their dialogue id into train/dev/test with a fixed seed. */
export function splitByDialogueId<T extends { id: string }>(
  items: readonly T[],
  seed: number,
  ratios: SplitRatios = DEFAULT_SPLIT_RATIOS,
): Record<SplitName, T[]> {
  const out: Record<SplitName, T[]> = { train: [], dev: [], test: [] };
  for (const item of items) out[splitOf(item.id, seed, ratios)].push(item);
  return out;
}
