import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { fitCcaEncoder } from "./cca.js";
import { retrievalMetrics, rowDot } from "./evaluate.js";
import { hashedFeatures, packSparse, sparseDot } from "./features.js";
import { embeddingBagForward, type EmbeddingBagSpec } from "./hashed-graph.js";
import { trainContrastiveEncoder } from "./train-encoder.js";

/**
 * Synthetic dialogues where a context about topic t uses words "ask<t>_*" and its reply uses disjoint words
 * "say<t>_*": word overlap (bag-of-words) cannot match them, a learned projection can.
 */
function topicPairs(count: number, seed: string) {
  const rng = createRng(seed);
  const config = { buckets: 4096, bigrams: false, turnDecay: 0.5, maxTurns: 2 };
  const words = (prefix: string, topic: number) => Array.from({ length: 4 }, () => `${prefix}${topic}x${rng.int(6)}`).join(" ");
  return Array.from({ length: count }, () => {
    const topic = rng.int(12);
    return { context: hashedFeatures([words("ask", topic)], config), response: hashedFeatures(words("say", topic), config), topic };
  });
}

function recall(spec: EmbeddingBagSpec, pairs: ReturnType<typeof topicPairs>): number {
  const c = embeddingBagForward(spec, packSparse(pairs.map((p) => p.context)));
  const r = embeddingBagForward(spec, packSparse(pairs.map((p) => p.response)));
  return retrievalMetrics(pairs.length, 11, createRng(1), (q, k) => rowDot(c, q, r, k, spec.dim) + (pairs[q]?.topic === pairs[k]?.topic && q !== k ? -1 : 0)).recallAt1;
}

describe("learning the hashed-feature projection", () => {
  const train = topicPairs(600, "train");
  const test = topicPairs(120, "test");
  const bow = retrievalMetrics(test.length, 11, createRng(1), (q, k) => sparseDot(test[q]!.context, test[k]!.response)).recallAt1;

  it("bag-of-words cannot match context and reply words", () => {
    expect(bow).toBeLessThan(0.2);
  });

  it("the closed-form whitened CCA aligns them", () => {
    const spec = fitCcaEncoder(train, { buckets: 4096, dim: 12, oversample: 8, iterations: 4, whitenPrior: 0.1, eigenPower: 0 }, createRng(2));
    expect(recall(spec, test)).toBeGreaterThan(0.8);
  });

  it("contrastive training (TensorFlow.js, in-batch negatives) aligns them", async () => {
    const losses: number[] = [];
    const spec = await trainContrastiveEncoder(train, {
      buckets: 4096,
      dim: 16,
      epochs: 8,
      batchSize: 64,
      learningRate: 0.05,
      temperature: 0.1,
      seed: 4,
      onEpoch: (_, loss) => losses.push(loss),
    });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] as number);
    expect(recall(spec, test)).toBeGreaterThan(0.8);
  });
});
