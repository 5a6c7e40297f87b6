// Faults of annotation runs: two runs on one output, a lock left by a killed run, duplicates on read, and a
// process killed while it repairs a cut-short last line. Every case is bounded in time.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createRng, type Dialogue } from "@foresight/dialogue";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { announcedTurnCount, validAnswer } from "../test-fixtures/annotator.js";
import { annotateCorpus, readAnnotations } from "./runner.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sac-faults-"));
  made.push(dir);
  return dir;
}

function dialogues(count: number): Dialogue[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `d${index}`,
    domain: "test",
    turns: [
      { speaker: "user", text: `hello number ${index}` },
      { speaker: "system", text: "hi, how can I help?" },
    ],
  }));
}

function record(id: string): string {
  const turn = { speaker: "user", text: "hi ".repeat(100), annotation: { motivation: "ask", emotion: "neutral", topics: ["t"], bridgingQuestion: null } };
  return JSON.stringify({ id, corpus: "c", domain: "d", model: "m", attempts: 1, turns: [turn, turn, turn] });
}

const slowAnnotator = (delayMs: number) => new ScriptedChatModel({ respond: (request) => ({ choices: [validAnswer(announcedTurnCount(request))], delayMs }) });

describe("two runs on one output", () => {
  it("the second run is refused while the first holds the lock, and nothing is duplicated", { timeout: 15_000 }, async () => {
    const dir = tempDir();
    const paths = { outFile: join(dir, "out.jsonl"), errorsFile: join(dir, "out.errors.jsonl"), corpus: "test", lockStaleMs: 2000 };
    const input = dialogues(40);
    // The first run cannot finish before the second has given up, so the lock is held the whole time.
    let secondSettled!: () => void;
    const gate = new Promise<void>((resolve) => (secondSettled = resolve));
    let firstAsked!: () => void;
    const asked = new Promise<void>((resolve) => (firstAsked = resolve));
    const gated = new ScriptedChatModel({
      respond: async (request, call) => {
        firstAsked();
        if (call < 2) await gate;
        return validAnswer(announcedTurnCount(request));
      },
    });
    const first = annotateCorpus(gated, input, { ...paths, concurrency: 2 });
    await asked; // a run asks its model only once it holds the lock (a fixed sleep could end before that on a loaded machine)
    const second = annotateCorpus(slowAnnotator(1), input, { ...paths, errorsFile: join(dir, "second.errors.jsonl"), concurrency: 8 });
    await expect(second).rejects.toThrow(/out\.jsonl: another run is annotating into this file \(it holds .*out\.jsonl\.lock\)/);
    secondSettled();
    expect(await first).toMatchObject({ annotated: 40 });
    const lines = readFileSync(paths.outFile, "utf8").trim().split("\n");
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size).toBe(40);
  });

  it("a lock left by a killed run is taken over once stale", { timeout: 10_000 }, async () => {
    const dir = tempDir();
    const outFile = join(dir, "out.jsonl");
    mkdirSync(`${outFile}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${outFile}.lock`, old, old);
    const summary = await annotateCorpus(slowAnnotator(1), dialogues(3), { outFile, errorsFile: join(dir, "e.jsonl"), corpus: "test", lockStaleMs: 2000 });
    expect(summary).toMatchObject({ annotated: 3 });
  });

  it("reading counts each id once, warning about the duplicates (a file written before runs took a lock)", () => {
    const file = join(tempDir(), "dup.jsonl");
    writeFileSync(file, `${[record("a"), record("b"), record("a"), record("a")].join("\n")}\n`);
    const warnings: string[] = [];
    expect(readAnnotations(file, { onWarning: (message) => warnings.push(message) }).map((r) => r.id)).toEqual(["a", "b"]);
    expect(warnings).toEqual([expect.stringMatching(/skipped 2 duplicate lines/)]);
  });
});

describe("a run drains on request", () => {
  it("finishes the dialogues in flight, saves them and starts no more", { timeout: 10_000 }, async () => {
    const dir = tempDir();
    const drain = new AbortController();
    const model = new ScriptedChatModel({
      respond: (request, call) => {
        if (call === 2) drain.abort();
        return { choices: [validAnswer(announcedTurnCount(request))], delayMs: 30 };
      },
    });
    const summary = await annotateCorpus(model, dialogues(10), { outFile: join(dir, "o.jsonl"), errorsFile: join(dir, "e.jsonl"), corpus: "test", concurrency: 3, drain: drain.signal });
    expect(summary).toMatchObject({ annotated: 3, failed: 0, drained: true, aborted: false });
    expect(readFileSync(join(dir, "o.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);
  });
});

const killer = fileURLToPath(new URL("../test-fixtures/kill-at-fs-call.ts", import.meta.url));

/** Runs the repair in a child that SIGKILLs itself at its `killAt`-th file-system write call; resolves its stdout. */
function repairInChild(file: string, killAt?: { call: number; mode: "before" | "after" | "mid" }): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  const args = ["--import", "tsx", killer, file, ...(killAt ? [String(killAt.call), killAt.mode] : [])];
  const child = spawn(process.execPath, args, { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (_code, signal) => resolve({ signal, stdout })));
}

const digest = (text: Buffer) => createHash("sha256").update(text).digest("hex");

describe("killed while repairing a cut-short last line", () => {
  it("leaves the file as it was or as repaired, never shorter (SIGKILL at random write calls)", { timeout: 240_000 }, async () => {
    const dir = tempDir();
    const whole = `${Array.from({ length: 2000 }, (_, index) => record(`r${index}`)).join("\n")}\n`;
    const original = Buffer.from(`${whole}{"id": "cut", "turns": [{"speak`);
    const repaired = Buffer.from(whole);
    const file = join(dir, "big.jsonl");
    writeFileSync(file, original);
    const counted = await repairInChild(file);
    const calls = Number(/calls (\d+)/.exec(counted.stdout)?.[1]);
    expect(calls).toBeGreaterThan(0);
    expect(digest(readFileSync(file))).toBe(digest(repaired));

    const rng = createRng(19);
    const modes = ["before", "after", "mid"] as const;
    for (let trial = 0; trial < 5; trial++) {
      writeFileSync(file, original);
      const killAt = { call: 1 + rng.int(calls), mode: modes[trial % modes.length] as (typeof modes)[number] };
      const run = await repairInChild(file, killAt);
      expect(run.signal, `kill at ${JSON.stringify(killAt)}`).toBe("SIGKILL");
      const after = readFileSync(file);
      expect(after.length, `kill at ${JSON.stringify(killAt)}`).toBeGreaterThanOrEqual(repaired.length);
      expect([digest(original), digest(repaired)], `kill at ${JSON.stringify(killAt)}`).toContain(digest(after));
    }
  });
});
