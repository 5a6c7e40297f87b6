import { describe, expect, it } from "vitest";
import { bootstrapCi95, mean, standardError, summarize } from "./stats.js";

describe("bench statistics", () => {
  it("computes the mean and the standard error from the sample deviation", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // sample sd of 1..4 is sqrt(5/3); se = sd / 2
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(standardError([5])).toBeNull();
  });

  it("gives the same bootstrap interval for the same values and label, around the mean", () => {
    const values = Array.from({ length: 40 }, (_, i) => (i * 7919) % 13);
    const a = bootstrapCi95(values, "label");
    expect(bootstrapCi95(values, "label")).toEqual(a);
    expect(bootstrapCi95(values, "other")).not.toEqual(a);
    const m = mean(values);
    expect(a[0]).toBeLessThan(m);
    expect(a[1]).toBeGreaterThan(m);
    // roughly mean ± 1.96 se for a sample this size
    const se = standardError(values) as number;
    expect(a[1] - a[0]).toBeGreaterThan(2 * 1.96 * se * 0.8);
    expect(a[1] - a[0]).toBeLessThan(2 * 1.96 * se * 1.2);
  });

  it("collapses to the value for one sample and to the constant for constant samples", () => {
    expect(summarize([3], "x")).toEqual({ n: 1, mean: 3, stderr: null, ci95: [3, 3] });
    expect(summarize([2, 2, 2], "x").ci95).toEqual([2, 2]);
  });
});

describe("cost names", () => {
  it("tells wall-clock costs and per-turn costs by their names", async () => {
    const { isPerTurnCost, isTimingCost } = await import("./summary.js");
    expect(["wallMs", "wallMsPerTurn", "msPerTurn", "planningMs"].every(isTimingCost)).toBe(true);
    expect(["llmCalls", "tokens", "items", "llmCallsPerTurn", "msgs"].some(isTimingCost)).toBe(false);
    expect(isPerTurnCost("llmCallsPerTurn")).toBe(true);
    expect(isPerTurnCost("llmCalls")).toBe(false);
  });
});
