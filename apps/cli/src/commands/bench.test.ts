import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("foresight bench mcts", () => {
  // About 15 s on 2 loaded cores: room for a slower CI machine.
  it("prints one JSON report with machine, commit and seed", { timeout: 180_000 }, async () => {
    const { io, out } = capture();
    const small = ["--memory-nodes", "500", "--compare-nodes", "800", "--ttt-compare-nodes", "300"];
    const code = await runCli(["bench", "mcts", "--json", "--seed", "3", "--seconds", "0.02", ...small], io);
    expect(code).toBe(0);
    const report = JSON.parse(out.join("\n"));
    expect(report.suite).toBe("mcts");
    expect(report.seed).toBe(3);
    expect(typeof report.commit).toBe("string");
    expect(report.rows.map((r: { case: string }) => r.case)).toContain("tictactoe-random-rollouts");
    const byCase = new Map(report.rows.map((r: { case: string; nodes: number }) => [r.case, r]));
    expect((byCase.get("memory-500-nodes") as { nodes: number }).nodes).toBe(501);
    expect((byCase.get("memory-random-mdp-b8-d20-800-nodes-baseline") as { nodes: number }).nodes).toBe(800);
    const speed = report.ratios["tictactoe-random-rollouts-baseline"];
    expect(speed.case).toBe("tictactoe-random-rollouts");
    expect(speed.metric).toBe("iterationsPerSecond");
    expect(speed.ratio).toBeGreaterThan(0);
    expect(report.ratios["memory-tictactoe-300-nodes-baseline"].metric).toBe("bytesPerNode");
  });

  it("prints a table, and rejects a bad flag", async () => {
    const { io, out } = capture();
    expect(await runCli(["bench", "mcts", "--seconds", "0.02", "--memory-nodes", "200", "--compare-nodes", "300", "--ttt-compare-nodes", "200"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/random-mdp-b8-d20/);
    expect(out.join("\n")).toMatch(/foresight \/ baseline, measured side by side in this run/);
    const bad = capture();
    expect(await runCli(["bench", "mcts", "--seconds", "fast"], bad.io)).toBe(2);
    expect(bad.err.join("\n")).toContain("--seconds must be a number above 0 and at most 600");
    const badNodes = capture();
    expect(await runCli(["bench", "mcts", "--compare-nodes", "1"], badNodes.io)).toBe(2);
    expect(badNodes.err.join("\n")).toContain("--compare-nodes must be an integer from 2 to 20000000");
  });
});
