import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("foresight bench mcts", () => {
  it("prints one JSON report with machine, commit and seed", async () => {
    const { io, out } = capture();
    const code = await runCli(["bench", "mcts", "--json", "--seed", "3", "--seconds", "0.02", "--memory-nodes", "500"], io);
    expect(code).toBe(0);
    const report = JSON.parse(out.join("\n"));
    expect(report.suite).toBe("mcts");
    expect(report.seed).toBe(3);
    expect(typeof report.commit).toBe("string");
    expect(report.rows.map((r: { case: string }) => r.case)).toContain("tictactoe-random-rollouts");
    expect(report.rows.at(-1).nodes).toBe(501);
  });

  it("prints a table, and rejects a bad flag", async () => {
    const { io, out } = capture();
    expect(await runCli(["bench", "mcts", "--seconds", "0.02", "--memory-nodes", "200"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/random-mdp-b8-d20/);
    const bad = capture();
    expect(await runCli(["bench", "mcts", "--seconds", "fast"], bad.io)).toBe(2);
    expect(bad.err.join("\n")).toContain("--seconds must be a positive number");
  });
});
