import { describe, expect, it } from "vitest";
import { scopeSuite } from "./scope.js";

describe("the scope suite", () => {
  it("enumerates held-out starters × seeds for every planner row and world, deterministically", () => {
    const quick = scopeSuite.episodes("quick", 1);
    expect(scopeSuite.episodes("quick", 1)).toEqual(quick);
    expect(new Set(quick.map((s) => s.unit)).size).toBe(20);
    expect(new Set(quick.map((s) => s.seed)).size).toBe(2);
    expect(new Set(quick.map((s) => s.world))).toEqual(new Set(["matched", "mismatched"]));
    const rows = new Set(quick.map((s) => s.planner));
    for (const c of scopeSuite.comparisons.filter((c) => rows.has(c.a) && rows.has(c.b))) expect(rows.has(c.a) && rows.has(c.b)).toBe(true);
    expect(rows.has("scope@t=1000") && rows.has("chat-greedy-0") && rows.has("chat-vanilla-mcts@t=70000")).toBe(true);
    const full = scopeSuite.episodes("full", 1);
    expect(new Set(full.map((s) => s.unit)).size).toBe(100);
    expect(new Set(full.map((s) => s.planner)).size).toBeGreaterThan(rows.size);
  });

  it("plays a 5-turn episode against the judge and scores the human tokens; 1-step greedy cannot afford a reply at 1 s", async () => {
    const [spec] = scopeSuite.episodes("quick", 1).filter((s) => s.planner === "chat-greedy-0");
    const first = await scopeSuite.run(spec!, {});
    expect(first.metrics.humanTokens).toBeGreaterThan(0);
    expect(first.metrics.negHarm).toBeLessThanOrEqual(0);
    expect(first.metrics.spearmanZeroStepTwoTurn).toBeGreaterThanOrEqual(-1);
    expect(first.transcript).toHaveLength(5);
    const greedy1 = await scopeSuite.run({ ...spec!, planner: "chat-greedy-1@t=1000", setting: { timeMs: 1000, chargeLatency: true } }, {});
    // At 1 s with the paper's 2.46 s per simulated reply, 1-step greedy cannot simulate anything and says so.
    expect((greedy1.transcript as Array<{ degraded?: string }>).every((t) => /no simulated reply/.test(t.degraded ?? ""))).toBe(true);
  });
});
