import { describe, expect, it } from "vitest";
import { learnedStepReward, learnedStepRewards, type StateValueModel } from "./learned.js";
import { rationalityScore, sopReward, sopTaskCompletion } from "./sop.js";

describe("SOP rewards", () => {
  it("gives 0.7 for success, 0.3 for another terminal state, 0 otherwise", () => {
    expect(sopTaskCompletion({ success: true, terminal: true })).toBe(0.7);
    expect(sopTaskCompletion({ success: false, terminal: true })).toBe(0.3);
    expect(sopTaskCompletion({ success: false, terminal: false })).toBe(0);
  });

  it("adds weighted rationality: 0.7 + 0.5 · 3/4 = 1.075", () => {
    expect(rationalityScore([1, 0, true, 1])).toBe(0.75);
    expect(sopReward({ reached: { success: true, terminal: true }, rationalitySamples: [1, 0, 1, 1], rationalityWeight: 0.5 })).toBe(1.075);
    expect(sopReward({ reached: { success: false, terminal: false }, rationalitySamples: [1, 1] })).toBe(1);
    expect(() => rationalityScore([])).toThrow(/no judge samples/);
    expect(() => rationalityScore([0.5])).toThrow(/must be 0 or 1/);
  });
});

describe("learned rewards", () => {
  const sum: StateValueModel = { predict: (states) => states.map((s) => s.reduce((a, b) => a + b, 0)) };

  it("computes F_R(s′) − F_R(s) with batched calls", async () => {
    expect(await learnedStepReward(sum, Float32Array.from([1, 2]), Float32Array.from([3, 4]))).toBe(4);
    const trajectory = [Float32Array.from([1, 1]), Float32Array.from([2, 2]), Float32Array.from([0, 5])];
    expect(await learnedStepRewards(sum, trajectory)).toEqual([2, 1]);
    expect(await learnedStepRewards(sum, [Float32Array.from([1])])).toEqual([]);
  });

  it("rejects a model that returns the wrong number of values or non-finite ones", async () => {
    const short: StateValueModel = { predict: async () => [1] };
    await expect(learnedStepReward(short, new Float32Array(1), new Float32Array(1))).rejects.toThrow(/returned 1 values for 2 states/);
    const nan: StateValueModel = { predict: (states) => states.map(() => Number.NaN) };
    await expect(learnedStepRewards(nan, [new Float32Array(1), new Float32Array(1)])).rejects.toThrow(/non-finite/);
  });
});
