import { hashString } from "@foresight/dialogue";
import { z } from "zod";

/** How text becomes hashed sparse features: word unigrams (+ bigrams) into `buckets`, recent turns weighted more. */
export const HashedFeatureConfigSchema = z.object({
  buckets: z.number().int().min(2),
  bigrams: z.boolean(),
  /** A context's turn k positions from the end is weighted turnDecay^k. */
  turnDecay: z.number().gt(0).max(1),
  /** Only the last maxTurns turns of a context are used. */
  maxTurns: z.number().int().min(1),
});
export type HashedFeatureConfig = z.infer<typeof HashedFeatureConfigSchema>;

/** A sparse vector: sorted unique bucket indices and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Lower-cases and splits text into word tokens (letters/digits, inner apostrophes kept). */
export function tokenizeWords(text: string): string[] {
  return text.toLowerCase().replace(/[’‘]/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

function addText(text: string, weight: number, config: HashedFeatureConfig, acc: Map<number, number>): void {
  const tokens = tokenizeWords(text);
  const add = (key: string) => {
    const bucket = hashString(key) % config.buckets;
    acc.set(bucket, (acc.get(bucket) ?? 0) + weight);
  };
  for (let i = 0; i < tokens.length; i++) {
    add(`w:${tokens[i]}`);
    if (config.bigrams && i + 1 < tokens.length) add(`b:${tokens[i]} ${tokens[i + 1]}`);
  }
}

/** Bucket counts of single texts, kept across the contexts of one batch (which share their earlier turns). */
export type TurnCountCache = Map<string, Map<number, number>>;

/**
 * Hashed features of a context (turns, oldest first) or of one text: sublinear counts (1 + log c) per bucket,
 * turns weighted by recency, L2-normalised. An empty text gives an empty vector. Pass a `cache` to count each
 * distinct text once over many contexts (the result is the same).
 */
export function hashedFeatures(turns: string | readonly string[], config: HashedFeatureConfig, cache?: TurnCountCache): SparseVector {
  const list = typeof turns === "string" ? [turns] : turns.slice(-config.maxTurns);
  const acc = new Map<number, number>();
  list.forEach((text, i) => {
    let turnAcc = cache?.get(text);
    if (!turnAcc) {
      turnAcc = new Map<number, number>();
      addText(text, 1, config, turnAcc);
      cache?.set(text, turnAcc);
    }
    const weight = config.turnDecay ** (list.length - 1 - i);
    for (const [bucket, count] of turnAcc) acc.set(bucket, (acc.get(bucket) ?? 0) + weight * (1 + Math.log(count)));
  });
  const indices = Int32Array.from([...acc.keys()].sort((a, b) => a - b));
  const values = new Float32Array(indices.length);
  let norm = 0;
  indices.forEach((index, i) => {
    const v = acc.get(index) as number;
    values[i] = v;
    norm += v * v;
  });
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / norm;
  return { indices, values };
}

/** Cosine similarity of two L2-normalised sparse vectors (their dot product). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i] as number;
    const bj = b.indices[j] as number;
    if (ai === bj) sum += (a.values[i++] as number) * (b.values[j++] as number);
    else if (ai < bj) i++;
    else j++;
  }
  return sum;
}

/** A padded batch of sparse vectors for the embedding-bag graph: indices and weights, both [rows, width]. */
export interface PackedSparseBatch {
  rows: number;
  width: number;
  indices: BigInt64Array;
  weights: Float32Array;
}

/** Pads sparse vectors to a common width (at least 1) with index 0 and weight 0. */
export function packSparse(vectors: readonly SparseVector[]): PackedSparseBatch {
  const width = Math.max(1, ...vectors.map((v) => v.indices.length));
  const indices = new BigInt64Array(vectors.length * width);
  const weights = new Float32Array(vectors.length * width);
  vectors.forEach((v, r) => {
    for (let i = 0; i < v.indices.length; i++) {
      indices[r * width + i] = BigInt(v.indices[i] as number);
      weights[r * width + i] = v.values[i] as number;
    }
  });
  return { rows: vectors.length, width, indices, weights };
}

/**
 * Explicit conversation-structure features appended to the learned context embedding, so that a state keeps what
 * the rewards depend on (lengths, who spoke last) instead of losing it to the L2-normalised bag of words.
 * Lengths are cl100k_base tokens (the engagement reward's unit), as log(1 + n).
 */
export const STRUCTURE_FEATURES = [
  "lastTokens",
  "previousTokens",
  "lastSpeakerMeanTokens",
  "otherSpeakerMeanTokens",
  "lastSpeakerParity",
  "turns",
  "lastIsQuestion",
] as const;
export type StructureFeature = (typeof STRUCTURE_FEATURES)[number];

/** The structure features of a context (turns oldest first), in {@link STRUCTURE_FEATURES} order. */
export function structureFeatures(turns: readonly string[], countTokens: (text: string) => number): Float32Array {
  const out = new Float32Array(STRUCTURE_FEATURES.length);
  const n = turns.length;
  if (n === 0) return out;
  const lengths = turns.map(countTokens);
  const meanOf = (parity: number) => {
    let sum = 0;
    let count = 0;
    for (let i = parity; i < n; i += 2) {
      sum += lengths[i] as number;
      count++;
    }
    return count === 0 ? 0 : sum / count;
  };
  const lastParity = (n - 1) % 2;
  out[0] = Math.log1p(lengths[n - 1] as number);
  out[1] = Math.log1p(lengths[n - 2] ?? 0);
  out[2] = Math.log1p(meanOf(lastParity));
  out[3] = Math.log1p(meanOf(1 - lastParity));
  // +1 when the opener's author spoke last, −1 when the other side did (turns alternate in the corpora).
  out[4] = lastParity === 0 ? 1 : -1;
  out[5] = Math.log1p(n);
  out[6] = /[?？]\s*$/.test(turns[n - 1] as string) ? 1 : 0;
  return out;
}
