import { describe, expect, it } from "vitest";
import { plannerNames } from "@foresight/planners";
import { runLoadTest } from "./load-test.js";
import { registrySource } from "./planner-pool.js";
import { seen, testPlanners } from "./test-fixtures/planners.js";

describe("loopback load test", () => {
  it("drives /v1/plan from a child process and reports latency, errors, memory and CPU per plan", async () => {
    const report = await runLoadTest(
      { planner: "length", budgetMs: 20, connections: 2, durationSeconds: 1, warmUpSeconds: 0, seed: 1, conversation: { turns: [{ speaker: "user", text: "hello there" }] } },
      { planners: testPlanners, upstream: () => undefined },
    );
    expect(report.requests).toBeGreaterThan(0);
    expect(report.errors).toBe(0);
    expect(report.statusCodes).toEqual({ "200": report.requests });
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.rssMb.start).toBeGreaterThan(0);
    expect(report.cpu.serverMsPerPlan).toBeGreaterThan(0);
    expect(report.cpu.simulationsPerPlan).toBe(12); // the fixture planner reports 12 per plan
    expect(report.cpu.generatorCores).toBeGreaterThan(0);
    expect(report.eventLoop.delayMaxMs).toBeGreaterThanOrEqual(report.eventLoop.delayP99Ms);
    expect(report.eventLoop.delayP99Ms).toBeGreaterThan(0);
    expect(report.targets.zeroErrors).toBe(true);
  });
});

describe("loopback load test traffic", () => {
  it("cycles through distinct held-out conversations of the planner, so plans are not repeats of one request", async () => {
    seen.lastTurns.clear();
    // The fixture has 5 distinct held-out conversations (seed mod 5): 3 are asked for, 3 reach the planner.
    const report = await runLoadTest({ planner: "length", budgetMs: 20, connections: 2, durationSeconds: 1, warmUpSeconds: 0, seed: 1, conversations: 3 }, { planners: testPlanners, upstream: () => undefined });
    expect(report.conversations).toBe(3);
    expect(report.requests).toBeGreaterThan(3);
    // (The server's warm-up plans the seed-0 example, "a held-out hello 0".)
    expect([...seen.lastTurns].filter((text) => text !== "a held-out hello 0").sort()).toEqual(["a held-out hello 1", "a held-out hello 2", "a held-out hello 3"]);
    // Asking for more than exist gives the distinct ones found.
    const all = await runLoadTest({ planner: "length", budgetMs: 20, connections: 1, durationSeconds: 1, warmUpSeconds: 0, seed: 1, conversations: 9 }, { planners: testPlanners, upstream: () => undefined });
    expect(all.conversations).toBe(5);
  });
});

describe("loopback load test on several server processes", () => {
  it("serves the registry from cluster workers sharing one port and sums their memory and CPU", async () => {
    const conversation = { turns: [{ speaker: "user" as const, text: "I just got back from a trip to the mountains." }] };
    const report = await runLoadTest(
      { planner: "chat-random", budgetMs: 20, connections: 4, durationSeconds: 1, warmUpSeconds: 0, seed: 1, workers: 2, conversation, candidates: ["Welcome back!", "How was it?"] },
      { planners: registrySource(plannerNames) },
      { warmPlanners: [] },
    );
    expect(report.workers).toBe(2);
    expect(report.requests).toBeGreaterThan(0);
    expect(report.statusCodes).toEqual({ "200": report.requests });
    expect(report.cpu.serverMsPerPlan).toBeGreaterThan(0);
    expect(report.rssMb.start).toBeGreaterThan(0);
  }, 120_000);
});
