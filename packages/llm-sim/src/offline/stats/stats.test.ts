import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { areaUnderRoc, fitLogisticRegression, predictLogistic, sigmoid } from "./logistic.js";
import { ActNgramModel } from "./ngram.js";
import { fitSoftmaxRegression, predictSoftmax, solveSpd } from "./softmax.js";

describe("ActNgramModel", () => {
  it("is a distribution that follows the observed sequences and keeps unseen acts possible", () => {
    const model = new ActNgramModel(["a", "b", "c"], 2);
    for (let i = 0; i < 10; i++) model.addSequence(["a", "b", "a", "b"]);
    const afterA = model.distribution(["a"]);
    expect([...afterA.values()].reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    expect(afterA.get("b")!).toBeGreaterThan(0.8);
    expect(afterA.get("c")!).toBeGreaterThan(0);
    expect(model.probability([], "a")).toBeGreaterThan(model.probability([], "b"));
    expect(() => model.addSequence(["d"])).toThrow(/not in the n-gram vocabulary/);
  });

  it("has lower cross-entropy on sequences like its data than on others", () => {
    const model = new ActNgramModel(["a", "b"], 3);
    model.addSequence(["a", "a", "b", "a", "a", "b"]);
    expect(model.crossEntropy([["a", "a", "b"]])).toBeLessThan(model.crossEntropy([["b", "b", "a"]]));
  });
});

describe("logistic regression and AUC", () => {
  it("recovers the direction of a synthetic logistic model", () => {
    const rng = createRng(5);
    const features: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = rng.next() * 4 - 2;
      features.push([1, x]);
      labels.push(rng.next() < sigmoid(-0.5 + 2 * x) ? 1 : 0);
    }
    const model = fitLogisticRegression(features, labels, { l2: 0 });
    expect(model.weights[0]).toBeCloseTo(-0.5, 0);
    expect(model.weights[1]).toBeCloseTo(2, 0);
    expect(model.iterations).toBeLessThan(20);
    expect(predictLogistic(model, [1, 1])).toBeGreaterThan(predictLogistic(model, [1, -1]));
    expect(() => predictLogistic(model, [1])).toThrow(/expected 2 features/);
  });

  it("computes AUC as the Mann–Whitney statistic with ties counted half", () => {
    expect(areaUnderRoc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(areaUnderRoc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(() => areaUnderRoc([0.1, 0.2], [1, 1])).toThrow(/at least one positive and one negative/);
  });
});

describe("softmax regression", () => {
  // Three classes driven by two features, 400 seeded rows.
  const rng = createRng(5);
  const rows = Array.from({ length: 400 }, () => [1, rng.next() * 2 - 1, rng.next() * 2 - 1]);
  const labels = rows.map(([, a, b]) => (a! > 0.3 ? 0 : b! > 0 ? 1 : 2));

  it("reaches the same optimum from a warm start at another penalty, in fewer Newton steps", () => {
    const cold = fitSoftmaxRegression(rows, labels, 3, { l2: 3 });
    const start = fitSoftmaxRegression(rows, labels, 3, { l2: 1 });
    const warm = fitSoftmaxRegression(rows, labels, 3, { l2: 3, initial: start.weights });
    warm.weights.forEach((row, c) => row.forEach((w, j) => expect(w).toBeCloseTo(cold.weights[c]![j]!, 6)));
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(predictSoftmax(cold, [1, 0.9, 0])[0]).toBeGreaterThan(0.5);
    expect(() => fitSoftmaxRegression(rows, labels, 3, { initial: [[0, 0, 0]] })).toThrow(/^softmax regression: initial weights must be 3 rows of 3$/);
  });

  it("gives the same weights to the bit as Newton's method with dense sums (its sparse and indicator shortcuts)", () => {
    // Indicators, sparse counts and a dense column, like the reaction models' rows.
    const mixed = Array.from({ length: 300 }, () => {
      const act = Math.floor(rng.next() * 3);
      const count = rng.next() < 0.6 ? 0 : Math.log1p(Math.floor(rng.next() * 4));
      return [1, act === 0 ? 1 : 0, act === 1 ? 1 : 0, count, rng.next() * 2 - 1, act === 2 ? count : 0];
    });
    const mixedLabels = mixed.map((x) => (x[1]! + x[4]! > 0.5 ? 0 : x[3]! > 0.5 ? 1 : rng.next() < 0.5 ? 2 : 3));
    const bits = (weights: number[][]) => [...new Uint8Array(Float64Array.from(weights.flat()).buffer)];
    const fast = fitSoftmaxRegression(mixed, mixedLabels, 4, { l2: 0.7 });
    const reference = denseSoftmaxFit(mixed, mixedLabels, 4, 0.7);
    expect(fast.iterations).toBe(reference.iterations);
    expect(bits(fast.weights)).toEqual(bits(reference.weights));
    expect(() => fitSoftmaxRegression([[1, 0], [1, Number.NaN]], [0, 1], 2)).toThrow(/^softmax regression: row 1 has a feature that is not a finite number$/);
  });
});

/** Newton's method with every Hessian term summed (the plain algorithm the fit must match to the bit). */
function denseSoftmaxFit(features: number[][], labels: number[], classes: number, l2: number): { weights: number[][]; iterations: number } {
  const d = features[0]!.length;
  const m = classes * d;
  let weights = Array.from({ length: classes }, () => new Array<number>(d).fill(0));
  for (let iterations = 1; iterations <= 50; iterations++) {
    const gradient = new Float64Array(m);
    const hessian = new Float64Array(m * m);
    for (let c = 0; c < classes; c++) for (let j = 0; j < d; j++) hessian[(c * d + j) * m + c * d + j] = j === 0 ? 1e-6 : l2;
    for (let c = 0; c < classes; c++) for (let j = 0; j < d; j++) gradient[c * d + j] = (j === 0 ? 1e-6 : l2) * weights[c]![j]!;
    features.forEach((x, i) => {
      const p = predictSoftmax({ weights, iterations: 0 }, x);
      for (let c = 0; c < classes; c++) {
        const r = p[c]! - (labels[i] === c ? 1 : 0);
        for (let j = 0; j < d; j++) gradient[c * d + j]! += r * x[j]!;
        for (let c2 = c; c2 < classes; c2++) {
          const w = c === c2 ? p[c]! * (1 - p[c]!) : -p[c]! * p[c2]!;
          for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) hessian[(c * d + j) * m + c2 * d + k]! += w * x[j]! * x[k]!;
        }
      }
    });
    // The blocks c > c2 mirror those summed (the Hessian is symmetric).
    for (let c = 0; c < classes; c++) {
      for (let c2 = c + 1; c2 < classes; c2++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) hessian[(c2 * d + k) * m + c * d + j] = hessian[(c * d + j) * m + c2 * d + k]!;
    }
    const step = solveSpd(hessian, gradient, m);
    weights = weights.map((row, c) => row.map((w, j) => w - step[c * d + j]!));
    if (Math.max(...step.map(Math.abs)) < 1e-7) return { weights, iterations };
  }
  return { weights, iterations: 50 };
}
