import { describe, expect, it } from "vitest";
import { runMctsSuite } from "./mcts-suite.js";
import { formatTable, reportObject } from "./report.js";

describe("mcts bench suite", () => {
  it("runs every case on a tiny budget and reports machine, commit and seed", async () => {
    const rows = await runMctsSuite({ seed: 7, seconds: 0.05, memoryNodes: 2000, asyncLatencyMs: 1, concurrency: 4, commit: "test-commit" });
    expect(rows.map((r) => r.case)).toEqual([
      "tictactoe-random-rollouts",
      "random-mdp-b8-d20",
      "async-1ms-concurrency-1",
      "async-1ms-concurrency-4",
      "memory-2000-nodes",
    ]);
    for (const row of rows) {
      expect(row.suite).toBe("mcts");
      expect(row.seed).toBe(7);
      expect(row.commit).toBe("test-commit");
      expect(row.machine.cores).toBeGreaterThan(0);
      expect(row.machine.cpu.length).toBeGreaterThan(0);
      expect(row.iterations).toBeGreaterThanOrEqual(0);
      expect(row.nodes).toBeGreaterThan(0);
      expect(Number.isFinite(row.bytesPerNode)).toBe(true);
    }
    expect(rows[0]!.iterations).toBeGreaterThan(0);
    expect(rows[4]!.iterations).toBe(2000);
    expect(rows[4]!.nodes).toBe(2001);
    const table = formatTable(rows);
    expect(table).toContain("tictactoe-random-rollouts");
    expect(table).toContain("commit: test-commit  seed: 7");
    const report = JSON.parse(JSON.stringify(reportObject("mcts", rows)));
    expect(report.suite).toBe("mcts");
    expect(report.rows).toHaveLength(5);
  });

  it("rejects a bad budget", async () => {
    await expect(runMctsSuite({ seconds: 0 })).rejects.toThrow(/seconds/);
    await expect(runMctsSuite({ seconds: 1, memoryNodes: 0 })).rejects.toThrow(/memoryNodes/);
  });
});
