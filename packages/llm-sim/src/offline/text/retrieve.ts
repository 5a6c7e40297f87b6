import type { Rng } from "@foresight/dialogue";
import type { Bm25Index } from "./bm25.js";
import { sampleTopHit, type TopSamplingOptions } from "./sample.js";

/** Options of {@link retrieveAndSample}. */
export interface RetrieveOptions extends TopSamplingOptions {
  /** Documents allowed (e.g. the replies that followed one act); every document when absent. */
  pool?: ReadonlySet<number>;
  /** Documents to skip (e.g. utterances already said in this dialogue). */
  exclude?: (doc: number) => boolean;
}

/**
 * Retrieves the documents most similar to the query within a pool and samples one among the best (see
 * {@link sampleTopHit}); when nothing in the pool shares a word with the query, samples the pool uniformly, so a
 * world always answers. Returns the document index, or undefined when the pool (after exclusions) is empty.
 */
export function retrieveAndSample(index: Bm25Index, query: readonly string[], rng: Rng, options: RetrieveOptions = {}): number | undefined {
  const topK = options.topK ?? 10;
  const exclude = options.exclude ?? (() => false);
  const hits = index.search(query, { pool: options.pool, topK: topK * 4 + 20 }).filter((hit) => !exclude(hit.doc));
  const hit = sampleTopHit(hits, rng, { topK, temperature: options.temperature });
  if (hit) return hit.doc;
  const candidates = [...(options.pool ?? Array.from({ length: index.size }, (_, doc) => doc))].filter((doc) => !exclude(doc));
  return candidates.length === 0 ? undefined : candidates[rng.int(candidates.length)];
}
