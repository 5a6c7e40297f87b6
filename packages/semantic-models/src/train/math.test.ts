import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { symmetricEigen } from "../encoder/cca.js";
import { mlpForward } from "../mlp.js";
import { brierScore, meanCosine, meanGroupSpearman, meanNormRatio, rocAuc, rSquared } from "./metrics.js";
import { fitRidge } from "./ridge.js";
import { trainRegressionHead } from "./heads.js";
import { linearHeadCoefficients, scalarForward } from "../heads/scalar.js";
import { mdnHarmNllLoss, mdnNllLoss, gaussianNllLoss } from "./losses.js";
import { ensureTfBackend, tf } from "./tf.js";

describe("closed-form fits and metrics", () => {
  it("ridge regression recovers a linear map with intercept", () => {
    const rng = createRng("ridge");
    const rows = 400;
    const x = Float32Array.from({ length: rows * 3 }, () => rng.next() * 2 - 1);
    const y = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      y[r * 2] = 2 * (x[r * 3] as number) - (x[r * 3 + 2] as number) + 5;
      y[r * 2 + 1] = 0.5 * (x[r * 3 + 1] as number) - 1;
    }
    const fit = fitRidge(x, y, rows, 3, 2, 1e-6);
    const layer = fit.layers[0];
    expect(layer?.weight[0]).toBeCloseTo(2, 4);
    expect(layer?.weight[4]).toBeCloseTo(-1, 4);
    expect(layer?.weight[3]).toBeCloseTo(0.5, 4);
    expect(layer?.bias[0]).toBeCloseTo(5, 4);
    expect(rSquared(mlpForward(fit, x, rows).filter((_, i) => i % 2 === 0), y.filter((_, i) => i % 2 === 0))).toBeCloseTo(1, 6);
  });

  it("within-group Spearman ranks each group on its own; constant groups count 0, singletons are skipped", () => {
    // Group 0 agrees perfectly, group 1 is reversed, group 2 is constant in a, group 3 has one row.
    const a = [1, 2, 3, 3, 2, 1, 5, 5, 9];
    const b = [10, 20, 30, 10, 20, 30, 1, 2, 0];
    const groups = [0, 0, 0, 1, 1, 1, 2, 2, 3];
    expect(meanGroupSpearman(a, b, groups)).toBeCloseTo((1 - 1 + 0) / 3, 12);
    // Across groups a and b would correlate; within them only the ranking inside each group counts.
    expect(meanGroupSpearman([1, 2, 11, 12], [12, 11, 2, 1], [0, 0, 1, 1])).toBe(-1);
  });

  it("Jacobi eigen-decomposition of a symmetric matrix", () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 0, 0, 0, -2]);
    const { values, vectors } = symmetricEigen(a, 3);
    const sorted = Array.from(values).sort((p, q) => q - p);
    expect(sorted[0]).toBeCloseTo((7 + Math.sqrt(5)) / 2, 9);
    expect(sorted[1]).toBeCloseTo((7 - Math.sqrt(5)) / 2, 9);
    expect(sorted[2]).toBeCloseTo(-2, 9);
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        let av = 0;
        for (let k = 0; k < 3; k++) av += (a[r * 3 + k] as number) * (vectors[k * 3 + c] as number);
        expect(av).toBeCloseTo((values[c] as number) * (vectors[r * 3 + c] as number), 9);
      }
    }
  });

  it("AUC, Brier, R², cosine and norm ratio on hand-checked values", () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 10);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBeCloseTo(0.5, 10);
    expect(brierScore([1, 0, 0.5], [1, 1, 0])).toBeCloseTo((0 + 1 + 0.25) / 3, 10);
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rSquared([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(meanCosine(Float32Array.from([1, 0, 0, 2]), Float32Array.from([1, 1, 0, 5]), 2)).toBeCloseTo((Math.SQRT1_2 + 1) / 2, 6);
    expect(meanNormRatio(Float32Array.from([3, 4]), Float32Array.from([0, 10]), 2)).toBeCloseTo(0.5, 6);
  });

  it("the MDN loss with one component equals the Gaussian NLL", async () => {
    await ensureTfBackend();
    const mu = [0.5, -1];
    const logStd = [0.1, -0.3];
    const target = tf.tensor2d([[1, 0]]);
    const gaussian = gaussianNllLoss(2, -5, 2)(tf.tensor2d([[...mu, ...logStd]]), target).dataSync()[0] as number;
    const mdn = mdnNllLoss(1, 2, -5, 2)(tf.tensor2d([[3, ...mu, ...logStd]]), target).dataSync()[0] as number;
    const expected = mu.reduce((s, m, j) => s + (logStd[j] as number) + 0.5 * (([1, 0][j] as number) - m) ** 2 / Math.exp(2 * (logStd[j] as number)) + 0.5 * Math.log(2 * Math.PI), 0);
    expect(gaussian).toBeCloseTo(expected, 4);
    expect(mdn).toBeCloseTo(expected, 4);
  });

  it("the harm auxiliary loss adds −log N(h; u·μ_k, Σ u_j² σ_kj²) inside the mixture (Eq. 13–15)", async () => {
    await ensureTfBackend();
    const u = Float32Array.from([2, -1]);
    // Two components: the harm term reweights them, so the joint loss is not the state NLL plus a constant.
    const logits = [0.3, -0.2];
    const mus = [[0.5, -1], [-0.4, 0.2]];
    const logStds = [[0.1, -0.3], [-0.2, 0.4]];
    const y = [1, 0];
    const h = 0.7;
    const output = tf.tensor2d([[...logits, ...mus.flat(), ...logStds.flat()]]);
    const joint = mdnHarmNllLoss(2, 2, u, -5, 2)(output, tf.tensor2d([[...y, h]])).dataSync()[0] as number;
    const stateOnly = mdnNllLoss(2, 2, -5, 2)(output, tf.tensor2d([y])).dataSync()[0] as number;
    const z = Math.log(Math.exp(logits[0] as number) + Math.exp(logits[1] as number));
    let likelihood = 0;
    for (let k = 0; k < 2; k++) {
      const mu = mus[k] as number[];
      const ls = logStds[k] as number[];
      let logState = 0;
      for (let j = 0; j < 2; j++) logState -= (ls[j] as number) + 0.5 * (((y[j] as number) - (mu[j] as number)) / Math.exp(ls[j] as number)) ** 2 + 0.5 * Math.log(2 * Math.PI);
      const harmMean = (u[0] as number) * (mu[0] as number) + (u[1] as number) * (mu[1] as number);
      const harmVariance = ((u[0] as number) * Math.exp(ls[0] as number)) ** 2 + ((u[1] as number) * Math.exp(ls[1] as number)) ** 2;
      const logHarm = -0.5 * (h - harmMean) ** 2 / harmVariance - 0.5 * Math.log(2 * Math.PI * harmVariance);
      likelihood += Math.exp((logits[k] as number) - z + logState + logHarm);
    }
    expect(joint).toBeCloseTo(-Math.log(likelihood), 4);
    expect(Math.abs(joint - stateOnly)).toBeGreaterThan(0.1);
    expect(() => mdnHarmNllLoss(2, 3, u, -5, 2)).toThrow(/harm direction has 2 values, the state has 3/);
  });

  it("a linear head's coefficients in input units reproduce its forward pass", async () => {
    const rng = createRng("linear-head");
    const rows = 50;
    const x = Float32Array.from({ length: rows * 3 }, () => rng.next() * 4 - 1);
    const y = Float32Array.from({ length: rows }, (_, r) => 3 * (x[r * 3] as number) - (x[r * 3 + 2] as number) + rng.next());
    const head = await trainRegressionHead({ inputs: [{ name: "state", dim: 3 }], values: { state: x }, target: y, rows }, { kind: "ridge", lambda: 0.1 }, "harm");
    const { weights, bias } = linearHeadCoefficients(head);
    const forward = scalarForward(head, { state: x }, rows);
    for (let r = 0; r < rows; r++) expect(bias + weights.reduce((s, w, j) => s + w * (x[r * 3 + j] as number), 0)).toBeCloseTo(forward[r] as number, 4);
  });
});
