import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Suite } from "@foresight/bench";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { UsageError } from "../command.js";
import { createBenchMergeCommand, createBenchSuitesCommand, createBenchWorkerCommand } from "./bench-suites.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

/** A tiny deterministic suite: "planner" beats "baseline" by exactly the unit's index on every unit. */
const tiny: Suite = {
  name: "tiny",
  summary: "tiny test suite",
  episodes: (scale, seed) =>
    ["planner", "baseline"].flatMap((planner) =>
      Array.from({ length: scale === "quick" ? 3 : 6 }, (_, u) => ({ suite: "tiny", planner, setting: { budget: planner === "planner" ? 2 : 0 }, world: "matched", unit: `u${u}`, seed })),
    ),
  run: async (spec) => ({ metrics: { reward: spec.seed + (spec.planner === "planner" ? Number(spec.unit.slice(1)) : 0), turns: 2 }, costs: { llmCalls: spec.planner === "planner" ? 4 : 0 } }),
  comparisons: [{ metric: "reward", a: "planner", b: "baseline" }],
  headline: { metric: "reward", a: "planner", b: "baseline" },
};

const root = mkdtempSync(join(tmpdir(), "cli-bench-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("foresight bench <suite>", () => {
  const command = createBenchSuitesCommand([tiny]);
  const merge = createBenchMergeCommand([tiny]);

  it("prints the suite's report as JSON and writes its folder", async () => {
    const { io, out } = capture();
    const outDir = join(root, "json");
    expect(await command.run(["tiny", "--json", "--seed", "3", "--out", outDir], io)).toBe(0);
    const report = JSON.parse(out.join("\n"));
    expect(report).toMatchObject({ suite: "tiny", seed: 3, scale: "quick", episodes: 6 });
    expect(report.comparisons[0]).toMatchObject({ metric: "reward", world: "matched", a: "planner", b: "baseline", n: 3, meanDiff: 1, ci95: [0, 2] });
    expect(JSON.parse(readFileSync(join(outDir, "tiny", "summary.json"), "utf8"))).toEqual(report);
  });

  it("ends a human run with the headline table, costs per turn, and resumes the same command", async () => {
    const outDir = join(root, "table");
    const first = capture();
    expect(await command.run(["--full", "--out", outDir], first.io)).toBe(0);
    const text = first.out.join("\n");
    expect(text).toContain(`tiny: 12/12 episodes → ${join(outDir, "tiny")}/report.md`);
    expect(text).toMatch(/^planner vs baseline: reward\n {2}matched\s+6\s+\+2.50\s+\[/m);
    expect(text).toContain("llmCalls 2 | 0");
    const again = capture();
    expect(await command.run(["--full", "--out", outDir], again.io)).toBe(0);
    expect(again.out.join("\n")).toContain("tiny: 12/12 episodes, 12 resumed");
  });

  it("merges shards into the unsharded report", async () => {
    const single = join(root, "single");
    await command.run(["tiny", "--seed", "5", "--out", single], capture().io);
    const shards = [1, 2].map((i) => join(root, `shard-${i}`));
    for (const [i, dir] of shards.entries()) {
      const { io, out } = capture();
      expect(await command.run(["tiny", "--seed", "5", "--shard", `${i + 1}/2`, "--out", dir], io)).toBe(0);
      expect(out.join("\n")).toContain("join with `foresight bench merge`");
    }
    const merged = join(root, "merged");
    const { io, out } = capture();
    expect(await merge.run([...shards, "--out", merged], io)).toBe(0);
    expect(out.join("\n")).toMatch(/planner vs baseline/);
    expect(readFileSync(join(merged, "tiny", "summary.json"), "utf8")).toBe(readFileSync(join(single, "tiny", "summary.json"), "utf8"));
  });

  it("names what is wrong: an unknown suite, two scales, a bad shard, a missing folder", async () => {
    const unknown = capture();
    expect(await command.run(["nope", "--out", join(root, "x")], unknown.io)).toBe(1);
    expect(unknown.err.join("\n")).toBe('foresight bench: unknown suite "nope" (known: tiny; speed suites: mcts, semantic)');
    await expect(command.run(["--quick", "--full"], capture().io)).rejects.toThrow(UsageError);
    await expect(command.run(["--jobs", "0"], capture().io)).rejects.toThrow('--jobs must be an integer from 1 to 256, got 0');
    await expect(command.run(["--jobs", "2", "--redis", "redis://127.0.0.1:1"], capture().io)).rejects.toThrow("choose one of --jobs and --redis");
    const shard = capture();
    expect(await command.run(["--shard", "3/2", "--out", join(root, "y")], shard.io)).toBe(1);
    expect(shard.err.join("\n")).toContain("--shard must be i/n with 1 ≤ i ≤ n");
    await expect(createBenchWorkerCommand([tiny]).run([], capture().io)).rejects.toThrow("--redis URL is required");
    const saved = { ...process.env };
    try {
      delete process.env.FORESIGHT_LLM_BASE_URL;
      delete process.env.FORESIGHT_LLM_MODEL;
      await expect(command.run(["tiny", "--live"], capture().io)).rejects.toThrow(/--live: this needs an LLM endpoint: set FORESIGHT_LLM_BASE_URL/);
      await expect(command.run(["tiny", "--replay"], capture().io)).rejects.toThrow("--replay needs --llm-model or FORESIGHT_LLM_MODEL naming the model the live run used");
      await expect(command.run(["tiny", "--llm-cache", "x"], capture().io)).rejects.toThrow("--llm-cache needs --live or --replay");
      await expect(command.run(["tiny", "--live", "--replay"], capture().io)).rejects.toThrow("choose one of --live and --replay");
    } finally {
      process.env = saved;
    }
    const unreachable = capture();
    expect(await command.run(["tiny", "--redis", "redis://127.0.0.1:1", "--out", join(root, "z")], unreachable.io)).toBe(1);
    expect(unreachable.err.join("\n")).toMatch(/^foresight bench: cannot reach Redis at redis:\/\/127.0.0.1:1/);
    const missing = capture();
    expect(await merge.run([join(root, "absent")], missing.io)).toBe(1);
    expect(missing.err.join("\n")).toContain("no such folder");
  });

  it("is reachable as `foresight bench` while `bench mcts` keeps its own command", async () => {
    const { io, out } = capture();
    expect(await runCli(["bench", "--help"], io)).toBe(0);
    expect(out.join("\n")).toContain("Usage: foresight bench [suite…]");
    const merged = capture();
    expect(await runCli(["bench", "merge", "--help"], merged.io)).toBe(0);
    expect(merged.out.join("\n")).toContain("Usage: foresight bench merge");
  });
});
