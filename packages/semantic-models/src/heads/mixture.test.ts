import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { mixtureMean, sampleMixture, type MixtureParams } from "./mixture.js";

function params(weights: number[], means: number[][], stds: number[][]): MixtureParams {
  const k = weights.length;
  const d = (means[0] as number[]).length;
  return { rows: 1, components: k, dim: d, mean: Float32Array.from(means.flat()), std: Float32Array.from(stds.flat()), weights: Float32Array.from(weights) };
}

function stats(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe("mixture sampling", () => {
  const mdn = params([0.3, 0.7], [[-5, 1], [5, -1]], [[1, 0.2], [0.5, 2]]);
  const n = 20000;

  it("picks components by their weights and draws each from its Gaussian (MDN)", () => {
    const samples = sampleMixture(mdn, createRng(11), n);
    const first: number[][] = [[], []];
    const second: number[][] = [[], []];
    for (let i = 0; i < n; i++) {
      const x = samples[i * 2] as number;
      const y = samples[i * 2 + 1] as number;
      const bucket = x < 0 ? first : second;
      (bucket[0] as number[]).push(x);
      (bucket[1] as number[]).push(y);
    }
    expect((first[0] as number[]).length / n).toBeGreaterThan(0.28);
    expect((first[0] as number[]).length / n).toBeLessThan(0.32);
    const a = stats(first[0] as number[]);
    expect(a.mean).toBeCloseTo(-5, 1);
    expect(a.std).toBeGreaterThan(0.95);
    expect(a.std).toBeLessThan(1.05);
    const b = stats(second[1] as number[]);
    expect(b.mean).toBeCloseTo(-1, 1);
    expect(b.std).toBeGreaterThan(1.9);
    expect(b.std).toBeLessThan(2.1);
    const c = stats(first[1] as number[]);
    expect(c.std).toBeGreaterThan(0.18);
    expect(c.std).toBeLessThan(0.22);
  });

  it("an ensemble's uniform weights give each member an equal share", () => {
    const ensemble = params([0.25, 0.25, 0.25, 0.25], [[0], [10], [20], [30]], [[0.1], [0.1], [0.1], [0.1]]);
    const samples = sampleMixture(ensemble, createRng(5), n);
    const counts = [0, 0, 0, 0];
    for (const s of samples) counts[Math.round(s / 10)]! += 1;
    for (const c of counts) {
      expect(c / n).toBeGreaterThan(0.23);
      expect(c / n).toBeLessThan(0.27);
    }
    expect(mixtureMean(ensemble)[0]).toBeCloseTo(15, 5);
  });

  it("is seeded: the same seed repeats the draws, another seed does not", () => {
    const a = sampleMixture(mdn, createRng(3), 50);
    const b = sampleMixture(mdn, createRng(3), 50);
    const c = sampleMixture(mdn, createRng(4), 50);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("lays out samplesPerRow draws per row contiguously", () => {
    const two: MixtureParams = { rows: 2, components: 1, dim: 1, mean: Float32Array.from([-100, 100]), std: Float32Array.from([1e-3, 1e-3]), weights: Float32Array.from([1, 1]) };
    const samples = Array.from(sampleMixture(two, createRng(1), 3));
    expect(samples.slice(0, 3).every((s) => Math.abs(s + 100) < 0.1)).toBe(true);
    expect(samples.slice(3).every((s) => Math.abs(s - 100) < 0.1)).toBe(true);
  });
});
