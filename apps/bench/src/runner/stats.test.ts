import { describe, expect, it } from "vitest";
import { fakeSuite } from "../test-fixtures/fake-suite.js";
import type { EpisodeSpec, Suite } from "../suites/types.js";
import { episodeKey, type EpisodeRecord } from "./episodes.js";
import { bootstrapCi95, mean, standardError, summarize, summarizeKeyed } from "./stats.js";
import { buildReport } from "./summary.js";

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

describe("bootstrap seeds from the pairs", () => {
  const entries = Array.from({ length: 60 }, (_, i) => ({ key: `u${i}\u0000${100 + (i % 5)}`, value: ((i * 7919) % 23) - 9 }));

  it("gives keyed values the same interval in any order, and another one for other keys or another label", () => {
    const a = summarizeKeyed(entries, "reward|a|b");
    expect(summarizeKeyed([...entries].reverse(), "reward|a|b")).toEqual(a);
    expect(summarizeKeyed(entries, "reward|a|c").ci95).not.toEqual(a.ci95);
    expect(summarizeKeyed(entries.map((e) => ({ ...e, key: `${e.key}x` })), "reward|a|b").ci95).not.toEqual(a.ci95);
  });

  it("gives the same pairs of world-free planners the same interval in every world and every suite", async () => {
    // Both planners play the same in every world (as SCOPE and 0-step greedy do in the scope suite).
    const records = (suite: Suite): EpisodeRecord[] =>
      suite.episodes("full", 3).map((spec: EpisodeSpec) => {
        const value = (spec.unit.charCodeAt(1) * 31 + spec.seed * 17 + Number(spec.setting.budget) * 5) % 11;
        return { key: episodeKey(spec), spec, metrics: { reward: value }, costs: {}, wallMs: 1, machine: "test" };
      });
    const meta = { scale: "full", seed: 3, shard: null, commit: "test", llm: null };
    const one = fakeSuite({ units: 30 });
    const other = fakeSuite({ units: 30, name: "other" });
    const report = buildReport(one, { ...meta, suite: one.name }, records(one));
    const byWorld = report.comparisons.filter((c) => c.metric === "reward");
    expect(byWorld.map((c) => c.world)).toEqual(["matched", "mismatched"]);
    expect(byWorld[0]!.n).toBe(60);
    expect(byWorld[1]!.ci95).toEqual(byWorld[0]!.ci95);
    const rows = report.rows.filter((r) => r.planner === "fake-baseline" && r.metric === "reward");
    expect(rows[1]!.ci95).toEqual(rows[0]!.ci95);
    const elsewhere = buildReport(other, { ...meta, suite: other.name }, records(other));
    expect(elsewhere.comparisons.find((c) => c.metric === "reward")!.ci95).toEqual(byWorld[0]!.ci95);
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
