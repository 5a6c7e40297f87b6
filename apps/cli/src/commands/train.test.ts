import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "foresight-cli-train-"));
/** Every model `train all` writes: the committed set of models/. */
const COMMITTED = ["encoder", "action-ensemble", "action-mdn", "transition-ensemble", "transition-mdn", "transition-mdn-safety", "reward-length", "reward-harm", "value-multiwoz-seed", "value-multiwoz"];
/** A short flywheel for the tiny scale (the committed models use its defaults: 3 rounds, 12 goals, 32 simulations). */
const FLYWHEEL = ["--rounds", "1", "--goals", "1", "--eval-goals", "0", "--simulations", "4"];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("foresight train and foresight bench semantic", () => {
  // Minutes, not seconds, on 2 shared cores under load: the whole training pipeline at the tiny scale.
  it("trains every default model at the tiny scale, then benchmarks them", { timeout: 300_000 }, async () => {
    const train = capture();
    expect(await runCli(["train", "all", ...FLYWHEEL, "--tiny", "--seed", "2", "--out", dir], train.io)).toBe(0);
    for (const name of COMMITTED) {
      expect(existsSync(join(dir, `${name}.onnx`))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as { training: { seed: number; command: string } };
      expect(manifest.training.seed).toBe(2);
      expect(manifest.training.command).toBe(`foresight train all ${FLYWHEEL.join(" ")} --seed 2 --tiny`);
    }
    expect(train.out).toHaveLength(COMMITTED.length);
    expect(train.err.some((line) => line.startsWith("encoder: recall@1"))).toBe(true);

    const bench = capture();
    expect(await runCli(["bench", "semantic", "--json", "--models", dir, "--seconds", "0.02", "--batches", "1,4", "--seed", "5"], bench.io)).toBe(0);
    const report = JSON.parse(bench.out.join("\n")) as { suite: string; seed: number; rows: Array<{ case: string; transitionsPerSecond: number; batch: number }> };
    expect(report.suite).toBe("semantic");
    expect(report.seed).toBe(5);
    expect(report.rows.map((r) => r.case)).toEqual([
      "ensemble step batch 1",
      "ensemble rollout batch 1",
      "ensemble step batch 4",
      "ensemble rollout batch 4",
      "mdn step batch 1",
      "mdn rollout batch 1",
      "mdn step batch 4",
      "mdn rollout batch 4",
    ]);
    for (const row of report.rows) expect(row.transitionsPerSecond).toBeGreaterThan(0);
  });

  it("train all writes, byte for byte, what the per-model commands write (encoder, scope, value --flywheel)", { timeout: 300_000 }, async () => {
    // Runs after the test above, which trained "all" into `dir`.
    const each = mkdtempSync(join(tmpdir(), "foresight-cli-train-each-"));
    try {
      for (const argv of [["encoder"], ["scope"], ["value", "--flywheel", ...FLYWHEEL]]) expect(await runCli(["train", ...argv, "--tiny", "--seed", "2", "--out", each], capture().io), argv.join(" ")).toBe(0);
      const sha = (folder: string, name: string) => (JSON.parse(readFileSync(join(folder, `${name}.json`), "utf8")) as { sha256: string }).sha256;
      for (const name of COMMITTED) expect(sha(each, name), name).toBe(sha(dir, name));
      expect(readdirSync(each).sort()).toEqual(readdirSync(dir).sort());
    } finally {
      rmSync(each, { recursive: true, force: true });
    }
  });

  it("rejects an unknown model name and bad flags with usage errors", async () => {
    const a = capture();
    expect(await runCli(["train", "everything"], a.io)).toBe(2);
    expect(a.err.join("\n")).toMatch(/expected one model name \(encoder, action, transition, reward, harm, scope, value, all\), got "everything"/);
    const s = capture();
    expect(await runCli(["train", "scope", "--simulated", "-3", "--tiny", "--out", dir], s.io)).toBe(2);
    expect(s.err.join("\n")).toMatch(/--simulated must be an integer of at least 0, got -3/);
    const f = capture();
    expect(await runCli(["train", "scope", "--rounds", "2", "--tiny", "--out", dir], f.io)).toBe(2);
    expect(f.err.join("\n")).toMatch(/--rounds is a flywheel setting: use it with value or all/);
    const b = capture();
    expect(await runCli(["bench", "semantic", "--batches", "1,x"], b.io)).toBe(2);
    expect(b.err.join("\n")).toMatch(/--batches must be positive integers/);
  });

  it("fails loudly when the models folder has no models", async () => {
    const empty = mkdtempSync(join(tmpdir(), "foresight-cli-empty-"));
    try {
      const c = capture();
      expect(await runCli(["bench", "semantic", "--models", empty, "--seconds", "0.01"], c.io)).toBe(1);
      expect(c.err.join("\n")).toMatch(/encoder\.json: manifest not found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
