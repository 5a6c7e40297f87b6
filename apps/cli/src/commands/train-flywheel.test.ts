import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "foresight-cli-flywheel-"));
const plain = mkdtempSync(join(tmpdir(), "foresight-cli-value-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(plain, { recursive: true, force: true });
});
const FLAGS = ["--rounds", "2", "--goals", "1", "--eval-goals", "1", "--simulations", "4", "--tiny", "--seed", "3"];

describe("foresight train value --flywheel", () => {
  it("trains the seed value model, runs the rounds and writes the new model with every round's metrics", async () => {
    const run = capture();
    const argv = ["train", "value", "--flywheel", ...FLAGS, "--out", dir];
    expect(await runCli(argv, run.io)).toBe(0);
    const seed = JSON.parse(readFileSync(join(dir, "value-multiwoz-seed.json"), "utf8")) as { metrics: Record<string, number> };
    expect(seed.metrics).toHaveProperty("auc");
    const manifest = JSON.parse(readFileSync(join(dir, "value-multiwoz.json"), "utf8")) as { metrics: Record<string, number>; training: { command: string; hyperparameters: Record<string, unknown> } };
    for (const key of ["round1:auc", "round1:brier", "round1:plannerSuccess", "round1:plannerSuccessLessCooperative", "round2:auc", "round2:mctsTargets"]) expect(manifest.metrics).toHaveProperty([key]);
    expect(manifest.training.command).toBe("foresight train value --flywheel --rounds 2 --goals 1 --eval-goals 1 --simulations 4 --seed 3 --tiny");
    expect(manifest.training.hyperparameters.rounds).toBe(2);
    // The collecting searches mix a short rollout into V̄ (η = 0.5), and the manifest says so.
    expect(manifest.training.hyperparameters.leafRollout).toBe(0.5);
    expect(run.err.some((line) => /^flywheel round 1: held-out AUC [\d.]+ → [\d.]+, Brier/.test(line))).toBe(true);
    expect(run.err.some((line) => line.startsWith("flywheel round 2:"))).toBe(true);
  }, 600_000);

  it("train value without --flywheel is the same flywheel: the same files, never a seed model under value-multiwoz", async () => {
    const run = capture();
    expect(await runCli(["train", "value", ...FLAGS, "--out", plain], run.io)).toBe(0);
    for (const file of ["value-multiwoz-seed.json", "value-multiwoz-seed.onnx", "value-multiwoz.json", "value-multiwoz.onnx"]) {
      expect(readFileSync(join(plain, file)).equals(readFileSync(join(dir, file))), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(plain, "value-multiwoz.json"), "utf8")) as { metrics: Record<string, number> };
    expect(manifest.metrics).toHaveProperty(["round2:auc"]);
  }, 600_000);

  it("refuses --flywheel for other models and bad round counts with a one-line usage error", async () => {
    const other = capture();
    expect(await runCli(["train", "encoder", "--flywheel", "--out", dir], other.io)).not.toBe(0);
    expect(other.err.join("\n")).toMatch(/--flywheel trains the value model only/);
    const zero = capture();
    expect(await runCli(["train", "value", "--flywheel", "--rounds", "0", "--out", dir], zero.io)).not.toBe(0);
    expect(zero.err.join("\n")).toMatch(/--rounds must be at least 1/);
  });
});
