import { heldOutPersuasionDialogues } from "@foresight/planners";
import { describe, expect, it } from "vitest";
import { FULL_IN_FLIGHT, FULL_SEEDS, gdpZeroSuite, GRID_SWEEP, HEADLINE_PLANNERS, HEADLINE_SEEDS, HELD_OUT_OPENINGS, worldParts } from "./gdpzero.js";
import { suites } from "./index.js";

describe("gdpzero suite", () => {
  it("is listed and enumerates paired episodes deterministically, with its comparisons' planners present", () => {
    expect(suites).toContain(gdpZeroSuite);
    const quick = gdpZeroSuite.episodes("quick", 1);
    expect(gdpZeroSuite.episodes("quick", 1)).toEqual(quick);
    const planners = new Set(quick.map((spec) => spec.planner));
    // The quick scale has every comparison's planners but the 500 ms latency rows', the settings grid's and 6 in flight.
    const quickComparisons = gdpZeroSuite.comparisons.filter((c) => !c.a.includes("latencyMs=500") && !GRID_SWEEP.includes(c.a) && c.a !== "gdpzero@n=50" && c.a !== "gdpzero@n=20,concurrency=6");
    for (const comparison of [gdpZeroSuite.headline!, ...quickComparisons]) {
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

  it("headline scale: only the target rows, every held-out opening × several seeds, whole pairs in every prefix", () => {
    expect(heldOutPersuasionDialogues()).toHaveLength(HELD_OUT_OPENINGS);
    const headline = gdpZeroSuite.episodes("headline", 1);
    expect(new Set(headline.map((s) => s.planner))).toEqual(new Set(HEADLINE_PLANNERS));
    expect(HEADLINE_SEEDS).toBeGreaterThan(1);
    expect(headline).toHaveLength(HEADLINE_PLANNERS.length * 2 * HELD_OUT_OPENINGS * HEADLINE_SEEDS);
    expect(new Set(headline.map((s) => s.unit)).size).toBe(HELD_OUT_OPENINGS);
    // Every target comparison is in the report (a = gdpzero@n=20), and each row plays the same (world, opening, seed) pairs.
    for (const metric of ["donated", "finalValue"]) {
      for (const b of HEADLINE_PLANNERS.slice(1)) expect(gdpZeroSuite.comparisons, `${metric}: ${b}`).toContainEqual({ metric, a: "gdpzero@n=20", b });
    }
    const pairs = (planner: string) => headline.filter((s) => s.planner === planner).map((s) => `${s.world}/${s.unit}/${s.seed}`);
    for (const planner of HEADLINE_PLANNERS) expect(pairs(planner)).toEqual(pairs("gdpzero@n=20"));
    expect(new Set(pairs("gdpzero@n=20")).size).toBe(2 * HELD_OUT_OPENINGS * HEADLINE_SEEDS);
    // Seed 0 of an opening is the full scale's episode of that opening (the same spec, so the same outcome).
    const full = gdpZeroSuite.episodes("full", 1).find((s) => s.planner === "gdpzero@n=20" && s.unit === "opening-3" && s.world === "mismatched");
    expect(headline).toContainEqual(full);
    // The first 8 episodes are one opening and seed in all 4 rows × 2 worlds: a run cut short keeps whole pairs.
    expect(new Set(headline.slice(0, 8).map((s) => `${s.unit}/${s.seed}`)).size).toBe(1);
    expect(() => gdpZeroSuite.episodes("huge" as never, 1)).toThrow(/^gdpzero suite: unknown scale "huge" \(quick, full, headline, concurrency-check\)$/);
  });

  it("full scale: the settings grid on every held-out opening × several seeds, the latency rows on a few openings", () => {
    const full = gdpZeroSuite.episodes("full", 1);
    expect(gdpZeroSuite.episodes("full", 1)).toEqual(full);
    const planners = new Set(full.map((s) => s.planner));
    for (const label of ["gdpzero@n=5", ...GRID_SWEEP, ...HEADLINE_PLANNERS]) expect(planners, label).toContain(label);
    for (const label of GRID_SWEEP) expect(gdpZeroSuite.comparisons).toContainEqual({ metric: "donated", a: label, b: "gdpzero@n=20" });
    for (const comparison of [gdpZeroSuite.headline!, ...gdpZeroSuite.comparisons.filter((c) => !c.a.includes("latencyMs=25"))]) {
      expect(planners, comparison.a).toContain(comparison.a);
      expect(planners, comparison.b).toContain(comparison.b);
    }
    const latency = full.filter((s) => s.planner.includes("latencyMs=500"));
    const grid = full.filter((s) => !s.planner.includes("latencyMs"));
    // Every grid row plays the same (world, opening, seed) pairs: all openings × FULL_SEEDS × 2 worlds, 8 turns.
    const pairs = (planner: string) => grid.filter((s) => s.planner === planner).map((s) => `${s.world}/${s.unit}/${s.seed}`);
    for (const planner of new Set(grid.map((s) => s.planner))) expect(pairs(planner), planner).toEqual(pairs("gdpzero@n=20"));
    expect(new Set(pairs("gdpzero@n=20")).size).toBe(2 * HELD_OUT_OPENINGS * FULL_SEEDS);
    expect(new Set(grid.map((s) => s.setting.turns))).toEqual(new Set([8]));
    // The latency rows: matched only, the same few openings for each concurrency, 2 turns each.
    const latencyPairs = (inFlight: number) => latency.filter((s) => s.setting.concurrency === inFlight).map((s) => `${s.world}/${s.unit}/${s.seed}`);
    expect(latencyPairs(1).length).toBeGreaterThanOrEqual(2);
    for (const inFlight of FULL_IN_FLIGHT) expect(latencyPairs(inFlight)).toEqual(latencyPairs(1));
    expect(new Set(latency.map((s) => `${s.world}/${s.setting.turns}`))).toEqual(new Set(["matched/2"]));
  });

  it("concurrency-check scale: 6 in flight and the sequential rows it is paired with, the full scale's episodes", () => {
    const check = gdpZeroSuite.episodes("concurrency-check", 1);
    const full = gdpZeroSuite.episodes("full", 1);
    const planners = ["gdpzero@n=20", "gdpzero@n=20,concurrency=6", "gdpzero@n=20,latencyMs=500,concurrency=1", "gdpzero@n=20,latencyMs=500,concurrency=6"];
    expect(new Set(check.map((s) => s.planner))).toEqual(new Set(planners));
    // Every episode is one of the full scale's (the same spec, so the same outcome), and every full-scale episode of these rows is here.
    const key = (s: (typeof check)[number]) => JSON.stringify(s);
    const fullKeys = new Set(full.map(key));
    for (const spec of check) expect(fullKeys.has(key(spec)), key(spec)).toBe(true);
    expect(check).toHaveLength(full.filter((s) => planners.includes(s.planner)).length);
    // Its comparisons (6 in flight against sequential, quality and latency) are in the suite's list.
    for (const a of ["gdpzero@n=20,concurrency=6"]) expect(gdpZeroSuite.comparisons).toContainEqual({ metric: "finalValue", a, b: "gdpzero@n=20" });
    expect(gdpZeroSuite.comparisons).toContainEqual({ metric: "cost.wallMsPerTurn", a: "gdpzero@n=20,latencyMs=500,concurrency=6", b: "gdpzero@n=20,latencyMs=500,concurrency=1" });
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
  }, 180_000);
});
