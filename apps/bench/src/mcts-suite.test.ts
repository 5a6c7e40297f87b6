import { describe, expect, it } from "vitest";
import { runMctsSuite } from "./mcts-suite.js";
import { baselineRatios, formatTable, reportObject } from "./report.js";

describe("mcts bench suite", () => {
  it("runs every case and its side-by-side baselines on a tiny budget, with machine, commit and seed", async () => {
    const rows = await runMctsSuite({
      seed: 7,
      seconds: 0.05,
      memoryNodes: 2000,
      asyncLatencyMs: 1,
      concurrency: 4,
      compareNodes: 1500,
      ticTacToeCompareNodes: 600,
      cacheSimulations: 3000,
      commit: "test-commit",
    });
    expect(rows.map((r) => r.case)).toEqual([
      "tictactoe-random-rollouts",
      "random-mdp-b8-d20",
      "async-1ms-concurrency-1",
      "async-1ms-concurrency-4",
      "memory-2000-nodes",
      "tictactoe-random-rollouts-baseline",
      "tictactoe-random-rollouts-baseline-array-board",
      "tictactoe-fresh-searches-10000-iterations",
      "tictactoe-fresh-searches-10000-iterations-baseline",
      "tictactoe-fresh-searches-10000-iterations-baseline-array-board",
      "memory-tictactoe-600-nodes",
      "memory-tictactoe-600-nodes-baseline",
      "memory-tictactoe-600-nodes-baseline-array-board",
      "memory-random-mdp-b8-d20-1500-nodes",
      "memory-random-mdp-b8-d20-1500-nodes-baseline",
      "tictactoe-random-rollouts-previous-engine",
      "tictactoe-random-rollouts-general-path",
      "tictactoe-fresh-searches-10000-iterations-previous-engine",
      "tictactoe-fresh-searches-10000-iterations-general-path",
      "topvalue-cache-3000-simulations",
      "topvalue-cache-3000-simulations-previous-engine",
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
    const byCase = new Map(rows.map((r) => [r.case, r]));
    expect(byCase.get("async-1ms-concurrency-4")!.detail).toMatch(/; (\d+\.\d|n\/a)× the iterations\/s of 1 in flight$/);
    expect(byCase.get("async-1ms-concurrency-1")!.detail).not.toMatch(/in flight$/);
    expect(rows[0]!.iterations).toBeGreaterThan(0);
    expect(rows[4]!.iterations).toBe(2000);
    expect(rows[4]!.nodes).toBe(2001);
    expect(byCase.get("tictactoe-random-rollouts-baseline")!.iterations).toBeGreaterThan(0);
    expect(byCase.get("tictactoe-fresh-searches-10000-iterations-baseline")!.iterations % 10_000).toBe(0);
    // Equal node counts on both sides of every memory comparison.
    for (const name of ["memory-tictactoe-600-nodes", "memory-tictactoe-600-nodes-baseline", "memory-tictactoe-600-nodes-baseline-array-board"]) {
      expect(byCase.get(name)!.nodes).toBe(600);
    }
    expect(byCase.get("memory-random-mdp-b8-d20-1500-nodes")!.nodes).toBe(1500);
    expect(byCase.get("memory-random-mdp-b8-d20-1500-nodes-baseline")!.nodes).toBe(1500);

    const ratios = baselineRatios(rows);
    expect(Object.keys(ratios).sort()).toEqual(rows.filter((r) => r.baselineOf !== undefined).map((r) => r.case).sort());
    const speed = ratios["tictactoe-random-rollouts-baseline"]!;
    expect(speed.case).toBe("tictactoe-random-rollouts");
    expect(speed.metric).toBe("iterationsPerSecond");
    expect(speed.better).toBe("higher");
    expect(speed.ratio).toBeCloseTo(rows[0]!.iterationsPerSecond / byCase.get("tictactoe-random-rollouts-baseline")!.iterationsPerSecond, 2);
    const memory = ratios["memory-random-mdp-b8-d20-1500-nodes-baseline"]!;
    expect(memory.metric).toBe("bytesPerNode");
    expect(memory.better).toBe("lower");
    expect(memory.foresight).toBe(byCase.get("memory-random-mdp-b8-d20-1500-nodes")!.bytesPerNode);

    const table = formatTable(rows);
    expect(table).toContain("tictactoe-random-rollouts");
    expect(table).toContain("tictactoe-random-rollouts vs tictactoe-random-rollouts-baseline: iterationsPerSecond");
    expect(table).toContain("commit: test-commit  seed: 7");
    const report = JSON.parse(JSON.stringify(reportObject("mcts", rows)));
    expect(report.suite).toBe("mcts");
    expect(report.rows).toHaveLength(21);
    // The previous engine and the general path build the engine's tree, side by side with it.
    expect(ratios["tictactoe-random-rollouts-previous-engine"]!.case).toBe("tictactoe-random-rollouts");
    expect(byCase.get("tictactoe-random-rollouts-general-path")!.iterations).toBeGreaterThan(0);
    expect(byCase.get("tictactoe-fresh-searches-10000-iterations-previous-engine")!.iterations % 10_000).toBe(0);
    // Top-value cache memory: evicted slots are reused, so slots stay near the live realizations.
    const cache = byCase.get("topvalue-cache-3000-simulations")!.detail.match(/(\d+) live realizations in (\d+) slots/)!;
    const previous = byCase.get("topvalue-cache-3000-simulations-previous-engine")!.detail.match(/(\d+) live realizations in (\d+) slots/)!;
    expect(Number(cache[2])).toBeLessThanOrEqual(2 * Number(cache[1]) + 16);
    expect(Number(previous[2])).toBeGreaterThan(Number(cache[2]));
    expect(report.ratios["tictactoe-random-rollouts-baseline-array-board"].case).toBe("tictactoe-random-rollouts");
  });

  it("pairs only rows that name their engine case and compare the same field", () => {
    const base = { suite: "mcts", wallMs: 1, iterations: 1, nodes: 1, detail: "", commit: "c", seed: 1 } as const;
    const machine = { cpu: "x", cores: 2, node: "v20", platform: "linux/x64", loadAverage: 0 };
    const rows = [
      { ...base, machine, case: "a", iterationsPerSecond: 300, bytesPerNode: 10, compareBy: "iterationsPerSecond" as const },
      { ...base, machine, case: "a-baseline", iterationsPerSecond: 100, bytesPerNode: 40, compareBy: "iterationsPerSecond" as const, baselineOf: "a" },
      { ...base, machine, case: "b-baseline", iterationsPerSecond: 100, bytesPerNode: 40, compareBy: "bytesPerNode" as const, baselineOf: "a" },
      { ...base, machine, case: "c-baseline", iterationsPerSecond: 100, bytesPerNode: 40, compareBy: "bytesPerNode" as const, baselineOf: "missing" },
    ];
    expect(baselineRatios(rows)).toEqual({
      "a-baseline": { case: "a", metric: "iterationsPerSecond", foresight: 300, baseline: 100, ratio: 3, better: "higher" },
    });
  });

  it("rejects a bad budget", async () => {
    await expect(runMctsSuite({ seconds: 0 })).rejects.toThrow(/seconds/);
    await expect(runMctsSuite({ seconds: 1, memoryNodes: 0 })).rejects.toThrow(/memoryNodes/);
    await expect(runMctsSuite({ seconds: 1, compareNodes: 1 })).rejects.toThrow(/compareNodes/);
    await expect(runMctsSuite({ seconds: 1, ticTacToeCompareNodes: 2.5 })).rejects.toThrow(/ticTacToeCompareNodes/);
  });
});
