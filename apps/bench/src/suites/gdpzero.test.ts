import { describe, expect, it } from "vitest";
import { gdpZeroSuite, worldParts } from "./gdpzero.js";
import { suites } from "./index.js";

describe("gdpzero suite", () => {
  it("is listed and enumerates paired episodes deterministically, with its comparisons' planners present", () => {
    expect(suites).toContain(gdpZeroSuite);
    const quick = gdpZeroSuite.episodes("quick", 1);
    expect(gdpZeroSuite.episodes("quick", 1)).toEqual(quick);
    const planners = new Set(quick.map((spec) => spec.planner));
    for (const comparison of [gdpZeroSuite.headline!, ...gdpZeroSuite.comparisons.filter((c) => !c.a.includes("latencyMs=500"))]) {
      expect(planners, comparison.a).toContain(comparison.a);
      expect(planners, comparison.b).toContain(comparison.b);
    }
    // Paired: the headline's planners play the same units with the same seeds in both worlds.
    const key = (planner: string) => quick.filter((s) => s.planner === planner).map((s) => `${s.world}/${s.unit}/${s.seed}`);
    expect(key("gdpzero@n=20")).toEqual(key("gdpzero-prompting"));
    expect(new Set(quick.map((s) => s.world))).toEqual(new Set(["matched", "mismatched"]));
    expect(gdpZeroSuite.episodes("full", 1).length).toBeGreaterThan(quick.length);
    expect(() => worldParts("imaginary")).toThrow(/unknown world "imaginary"/);
  });

  it("plays one episode the same way twice and reports the donation, the final value and the costs", async () => {
    const spec = { ...gdpZeroSuite.episodes("quick", 1).find((s) => s.planner === "gdpzero@n=5" && s.world === "mismatched")!, setting: { n: 5, k: 3, q0: 0.25, turns: 2 } };
    const a = await gdpZeroSuite.run(spec, {});
    const b = await gdpZeroSuite.run(spec, {});
    expect(b.metrics).toEqual(a.metrics);
    expect(b.transcript).toEqual(a.transcript);
    expect([0, 1]).toContain(a.metrics.donated);
    expect(a.metrics.finalValue).toBeGreaterThanOrEqual(-1);
    expect(a.metrics.finalValue).toBeLessThanOrEqual(1);
    expect(a.costs.simulationsPerTurn).toBe(5);
    expect(a.transcript).toHaveLength(2);
    // Response selection's per-decision effect, in the judge's value: a difference of two values in −1 … 1.
    expect(a.metrics.replyValueOverCached).toBeTypeOf("number");
    expect(Math.abs(a.metrics.replyValueOverCached!)).toBeLessThanOrEqual(2);
  }, 60_000);
});
