import { describe, expect, it } from "vitest";
import { sgmSuite } from "./sgm.js";

describe("the sgm suite", () => {
  it("enumerates the held-out tasks for every planner and world, deterministically", () => {
    const quick = sgmSuite.episodes("quick", 1);
    expect(sgmSuite.episodes("quick", 1)).toEqual(quick);
    const tasks = new Set(quick.filter((s) => s.setting.mode === "gold").map((s) => s.unit));
    expect(tasks.size).toBe(10);
    expect(new Set(quick.map((s) => s.planner))).toEqual(new Set(["sgm", "cot-sop", "cot"]));
    expect(new Set(quick.map((s) => s.world))).toEqual(new Set(["matched", "mismatched"]));
    expect(sgmSuite.episodes("full", 1).length).toBeGreaterThan(quick.length);
  });

  it("scores gold dialogues and plays episodes, the same for the same spec", async () => {
    const [task] = [...new Set(sgmSuite.episodes("quick", 1).map((s) => s.unit.split("#")[0]!))];
    const gold = { suite: "sgm", planner: "cot-sop", setting: { mode: "gold", goldPerTask: 1 }, world: "matched", unit: task!, seed: 1 };
    const scored = await sgmSuite.run(gold, {});
    expect(scored.metrics.accT).toBeGreaterThan(0);
    expect(scored.metrics.accT).toBeLessThanOrEqual(1);
    expect(scored.metrics.accC).toBeGreaterThan(0.9);
    const play = { suite: "sgm", planner: "sgm", setting: { mode: "play", maxAgentTurns: 4 }, world: "mismatched", unit: `${task}#0`, seed: 2 };
    const first = await sgmSuite.run(play, {});
    const again = await sgmSuite.run(play, {});
    expect([again.metrics, again.transcript, again.costs.llmCalls]).toEqual([first.metrics, first.transcript, first.costs.llmCalls]);
    expect(first.metrics.turns).toBeLessThanOrEqual(4);
    expect([0, 1]).toContain(first.metrics.success);
    // the agent's own steps comply whenever the whole path does
    expect(first.metrics.agentCompliant).toBeGreaterThanOrEqual(first.metrics.compliant!);
    expect(first.costs.llmCalls).toBeGreaterThan(0);
  });
});
