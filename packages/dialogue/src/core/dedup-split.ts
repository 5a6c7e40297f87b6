import { hashString } from "./rng.js";
import { DEFAULT_SPLIT_RATIOS, type SplitName, type SplitRatios } from "./split.js";

/** The seed of the project's one split per corpus (DESIGN.md: "one deduplicated split per corpus, used everywhere"). */
export const CORPUS_SPLIT_SEED = 1;

/** Lower-cased, punctuation-free, single-spaced text: two copies that differ only in spacing or case match. */
export function normalizeForDedup(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Splits items so that items sharing any key stay on one side: copies (same full text) and dialogues that share
 * their opening turns are grouped (union–find over every key of every item), and each group goes to train/dev/test
 * by a hash of the seed and the group's smallest id. Deterministic; a group never straddles the split.
 */
export function splitDeduplicated<T>(
  items: readonly T[],
  options: { id: (item: T) => string; keys: (item: T) => readonly string[]; seed?: number; ratios?: SplitRatios },
): Record<SplitName, T[]> {
  const ratios = options.ratios ?? DEFAULT_SPLIT_RATIOS;
  const total = ratios.train + ratios.dev + ratios.test;
  if (Math.abs(total - 1) > 1e-9 || ratios.train < 0 || ratios.dev < 0 || ratios.test < 0) {
    throw new Error(`split ratios must be non-negative and sum to 1, got train=${ratios.train} dev=${ratios.dev} test=${ratios.test}`);
  }
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const ownerOfKey = new Map<string, number>();
  items.forEach((item, i) => {
    for (const key of options.keys(item)) {
      if (key === "") continue;
      const owner = ownerOfKey.get(key);
      if (owner === undefined) ownerOfKey.set(key, i);
      else parent[find(i)] = find(owner);
    }
  });
  const groupName = new Map<number, string>();
  items.forEach((item, i) => {
    const root = find(i);
    const id = options.id(item);
    const current = groupName.get(root);
    if (current === undefined || id < current) groupName.set(root, id);
  });
  const seed = options.seed ?? CORPUS_SPLIT_SEED;
  const out: Record<SplitName, T[]> = { train: [], dev: [], test: [] };
  items.forEach((item, i) => {
    const u = hashString(`${seed}\u0000${groupName.get(find(i))!}`) / 4294967296;
    out[u < ratios.train ? "train" : u < ratios.train + ratios.dev ? "dev" : "test"].push(item);
  });
  return out;
}

/**
 * The project's split of a dialogue corpus: copies (same normalised text) and dialogues sharing their first two
 * turns stay together. Every model, world and bench suite of a corpus uses this one function (with the default seed).
 */
export function splitDialogues<T extends { id: string; turns: readonly { text: string }[] }>(
  dialogues: readonly T[],
  options: { seed?: number; ratios?: SplitRatios; openingTurns?: number } = {},
): Record<SplitName, T[]> {
  const opening = options.openingTurns ?? 2;
  return splitDeduplicated(dialogues, {
    id: (d) => d.id,
    keys: (d) => {
      const openingText = normalizeForDedup(d.turns.slice(0, opening).map((t) => t.text).join(" \n "));
      const fullText = normalizeForDedup(d.turns.map((t) => t.text).join(" \n "));
      return [`id:${d.id}`, `open:${openingText}`, `full:${fullText}`];
    },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.ratios === undefined ? {} : { ratios: options.ratios }),
  });
}
