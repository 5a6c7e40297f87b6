import type { Rng } from "@foresight/dialogue";

/** Next-utterance retrieval quality: the true response ranked among `distractors` other responses. */
export interface RetrievalMetrics {
  queries: number;
  distractors: number;
  recallAt1: number;
  recallAt10: number;
  meanReciprocalRank: number;
}

/**
 * Ranks each query's true response (index i) against `distractors` responses of other queries drawn with the
 * seeded generator, by `score(query, candidate)`; ties count against the true response.
 */
export function retrievalMetrics(queries: number, distractors: number, rng: Rng, score: (query: number, candidate: number) => number): RetrievalMetrics {
  if (queries <= distractors) throw new Error(`retrieval needs more than ${distractors} queries, got ${queries}`);
  let at1 = 0;
  let at10 = 0;
  let mrr = 0;
  for (let q = 0; q < queries; q++) {
    const truth = score(q, q);
    const chosen = new Set<number>();
    while (chosen.size < distractors) {
      const c = rng.int(queries);
      if (c !== q) chosen.add(c);
    }
    let better = 0;
    for (const c of chosen) if (score(q, c) >= truth) better++;
    const rank = better + 1;
    if (rank === 1) at1++;
    if (rank <= 10) at10++;
    mrr += 1 / rank;
  }
  return { queries, distractors, recallAt1: at1 / queries, recallAt10: at10 / queries, meanReciprocalRank: mrr / queries };
}

/** Dot product of row a of `left` and row b of `right` ([n, dim] each). */
export function rowDot(left: Float32Array, a: number, right: Float32Array, b: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += (left[a * dim + j] as number) * (right[b * dim + j] as number);
  return sum;
}
