import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import {
  bootstrapConfidenceInterval,
  corpusBleu,
  diversity,
  formatMeanWithError,
  meanWithStandardError,
  resolveSwappedJudgement,
  tokenizeForMetrics,
  winTieLoss,
} from "./index.js";

describe("tokenisation", () => {
  it("splits words, numbers and punctuation", () => {
    expect(tokenizeForMetrics("I'd like 2.50, please! At 10:15?")).toEqual(["i'd", "like", "2.50", ",", "please", "!", "at", "10:15", "?"]);
  });
});

describe("diversity", () => {
  it("counts distinct uni/trigrams and the conditional bigram entropy by hand", () => {
    // bigrams: (a,b)×3, (b,a), (b,c); H = −Σ p(u,v) log2 p(v|u) = 2 · (1/5) · 1 = 0.4
    expect(diversity(["a b a b", "a b c"])).toEqual({ distinctUnigrams: 3, distinctTrigrams: 3, conditionalBigramEntropy: 0.4, tokens: 7 });
    expect(diversity([["x"]]).conditionalBigramEntropy).toBe(0);
  });
});

describe("corpus BLEU", () => {
  it("is 1 for identical text and 0.5 for p1 = 3/4, p2 = 1/3 (BLEU-2)", () => {
    expect(corpusBleu(["the cat sat on the mat"], ["the cat sat on the mat"]).bleu).toBe(1);
    const result = corpusBleu(["a b c d"], ["a b d"], { maxOrder: 2 });
    expect(result.precisions).toEqual([0.75, 1 / 3]);
    expect(result.bleu).toBeCloseTo(0.5, 12);
  });

  it("applies the brevity penalty with the closest (shorter on ties) reference length", () => {
    expect(corpusBleu(["a b"], ["a b c d"], { maxOrder: 2 }).bleu).toBeCloseTo(Math.exp(-1), 12);
    expect(corpusBleu(["a b c"], [["a b", "a b c d"]], { maxOrder: 1 })).toMatchObject({ referenceLength: 2, brevityPenalty: 1 });
  });

  it("clips repeated n-grams and sums counts over the corpus", () => {
    expect(corpusBleu(["the the the the"], ["the cat"], { maxOrder: 1 }).bleu).toBe(0.25);
    // corpus: p1 = (2 + 1) / (2 + 2) = 0.75, c = r = 4
    expect(corpusBleu(["a b", "c x"], ["a b", "c d"], { maxOrder: 1 }).bleu).toBe(0.75);
    expect(() => corpusBleu(["a"], [])).toThrow(/1 hypotheses but 0 reference sets/);
  });
});

describe("experiment statistics", () => {
  it("gives mean ± standard error with the n − 1 variance", () => {
    const value = meanWithStandardError([1, 2, 3, 4]);
    expect(value.mean).toBe(2.5);
    expect(value.standardError).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(formatMeanWithError(value, 2)).toBe("2.50 ± 0.65");
    expect(meanWithStandardError([7])).toEqual({ mean: 7, standardError: 0, n: 1 });
  });

  it("draws a seeded percentile bootstrap interval", () => {
    const a = bootstrapConfidenceInterval([0, 1], { rng: createRng(3) });
    expect(a).toEqual({ estimate: 0.5, lower: 0, upper: 1, level: 0.95 });
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    const first = bootstrapConfidenceInterval(values, { rng: createRng(11), resamples: 500 });
    expect(bootstrapConfidenceInterval(values, { rng: createRng(11), resamples: 500 })).toEqual(first);
    expect(first.lower).toBeLessThan(first.estimate);
    expect(first.upper).toBeGreaterThan(first.estimate);
    expect(bootstrapConfidenceInterval([2, 2, 2], { rng: createRng(1) })).toMatchObject({ lower: 2, upper: 2 });
  });

  it("names the bad argument instead of returning NaN bounds", () => {
    for (const resamples of [0, -5, 2.5, Number.NaN]) {
      expect(() => bootstrapConfidenceInterval([1, 2], { rng: createRng(1), resamples })).toThrow(`bootstrap resamples must be a positive integer, got ${resamples}`);
    }
    expect(() => bootstrapConfidenceInterval([1, Number.NaN, 3], { rng: createRng(1) })).toThrow("bootstrap values must be finite numbers, but values[1] is NaN");
    expect(() => bootstrapConfidenceInterval([Number.POSITIVE_INFINITY], { rng: createRng(1) })).toThrow(/values\[0\] is Infinity/);
  });
});

describe("judged comparisons", () => {
  it("counts a verdict only when both orders agree", () => {
    expect(resolveSwappedJudgement({ aFirst: "first", bFirst: "second" })).toBe("win");
    expect(resolveSwappedJudgement({ aFirst: "second", bFirst: "first" })).toBe("loss");
    expect(resolveSwappedJudgement({ aFirst: "tie", bFirst: "tie" })).toBe("tie");
    expect(resolveSwappedJudgement({ aFirst: "first", bFirst: "first" })).toBe("inconsistent");
    const counts = winTieLoss([
      { aFirst: "first", bFirst: "second" },
      { aFirst: "first", bFirst: "second" },
      { aFirst: "tie", bFirst: "tie" },
      { aFirst: "second", bFirst: "first" },
      { aFirst: "first", bFirst: "tie" },
    ]);
    expect(counts).toEqual({ wins: 2, ties: 1, losses: 1, inconsistent: 1, total: 5, winRate: 0.5, tieRate: 0.25, lossRate: 0.25, consistency: 0.8 });
  });
});
