import { describe, expect, it } from "vitest";
import { plannerNames } from "@foresight/planners";
import { runLoadTest } from "./load-test.js";
import { registrySource } from "./planner-pool.js";
import { testPlanners } from "./test-fixtures/planners.js";

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
