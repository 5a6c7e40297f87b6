import type { Rng } from "@foresight/dialogue";
import type { Bm25Hit } from "./bm25.js";

/** How to sample among retrieved candidates. */
export interface TopSamplingOptions {
  /** Sample among this many best hits (default 10). */
  topK?: number;
  /**
   * Softmax temperature on scores divided by the best score (default 0.5): a candidate scoring half the best is
   * e^(−1) times as likely at 0.5; `Infinity` samples the top K uniformly.
   */
  temperature?: number;
}

/** Draws an index from non-negative weights with the seeded generator; throws when no weight is positive. */
export function sampleIndex(weights: readonly number[], rng: Rng): number {
  let total = 0;
  for (const weight of weights) {
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`sampling weight must be finite and ≥ 0, got ${weight}`);
    total += weight;
  }
  if (total <= 0) throw new Error("cannot sample: no positive weight");
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  let last = weights.length - 1;
  while (weights[last] === 0) last--;
  return last;
}

/** Draws a key of a count or probability table in proportion to its value (keys visited in insertion order). */
export function sampleFromTable<K>(table: ReadonlyMap<K, number>, rng: Rng): K {
  const keys = [...table.keys()];
  return keys[sampleIndex(keys.map((key) => table.get(key)!), rng)]!;
}

/** Samples one hit among the best `topK` by a softmax over their normalised scores; undefined when there are none. */
export function sampleTopHit(hits: readonly Bm25Hit[], rng: Rng, options: TopSamplingOptions = {}): Bm25Hit | undefined {
  const top = hits.slice(0, options.topK ?? 10);
  if (top.length === 0) return undefined;
  const temperature = options.temperature ?? 0.5;
  const best = top[0]!.score;
  const weights = top.map((hit) =>
    temperature === Infinity || best <= 0 ? 1 : Math.exp((hit.score / best - 1) / temperature),
  );
  return top[sampleIndex(weights, rng)];
}

/** Jaccard similarity of two token sets (0 for two empty sets). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Picks up to `m` diverse items by maximal marginal relevance: each step takes the item maximising
 * λ·relevance − (1 − λ)·(max Jaccard similarity to the items already taken), relevance scaled to [0, 1];
 * the first pick is sampled among the top by relevance (softmax at `temperature` like {@link sampleTopHit}).
 */
export function selectDiverse<T>(
  items: readonly { item: T; relevance: number; tokens: ReadonlySet<string> }[],
  m: number,
  rng: Rng,
  options: { lambda?: number; temperature?: number; firstTopK?: number } = {},
): T[] {
  const lambda = options.lambda ?? 0.5;
  if (items.length === 0 || m <= 0) return [];
  const best = Math.max(...items.map((entry) => entry.relevance));
  const relevance = items.map((entry) => (best > 0 ? entry.relevance / best : 1));
  const first = sampleTopHit(
    items.map((_, doc) => ({ doc, score: relevance[doc]! })).sort((a, b) => b.score - a.score || a.doc - b.doc),
    rng,
    { topK: options.firstTopK ?? 5, temperature: options.temperature ?? 0.5 },
  )!;
  const chosen = [first.doc];
  const count = Math.min(m, items.length);
  // Each item's max Jaccard similarity to the items taken so far, updated with each new pick only.
  const redundancy = new Float64Array(items.length).fill(-Infinity);
  for (let latest = first.doc; chosen.length < count; ) {
    for (let i = 0; i < items.length; i++) if (!chosen.includes(i)) redundancy[i] = Math.max(redundancy[i]!, jaccard(items[i]!.tokens, items[latest]!.tokens));
    let pick = -1;
    let pickScore = -Infinity;
    for (let i = 0; i < items.length; i++) {
      if (chosen.includes(i)) continue;
      const score = lambda * relevance[i]! - (1 - lambda) * redundancy[i]!;
      if (score > pickScore) {
        pickScore = score;
        pick = i;
      }
    }
    chosen.push(pick);
    latest = pick;
  }
  return chosen.map((i) => items[i]!.item);
}
