// `foresight sac annotate` as a real process against a scripted endpoint on 127.0.0.1, interrupted (SIGINT) and
// killed (SIGKILL) at random points several times: in the end every dialogue is annotated exactly once, and no kill
// ever leaves the output shorter than it was just before.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, resolveDataDir } from "@foresight/dialogue";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from "@foresight/llm-sim/testing";
import { loadSacCorpus } from "@foresight/sac-annotator";

const cliRoot = fileURLToPath(new URL("../..", import.meta.url));
let server: ScriptedOpenAiServer;
let baseURL = "";
let requests = 0;

beforeAll(async () => {
  const rng = createRng(7);
  server = await startScriptedOpenAiServer((body) => {
    requests++;
    const count = Number(/^Dialogue \([^)]*, (\d+) turns\):/.exec(body.messages.find((m) => m.role === "user")?.content ?? "")?.[1]);
    const turns = Array.from({ length: count }, (_, turn) => ({ turn, motivation: turn % 2 ? "respond" : "ask", emotion: "neutral", topics: ["daily life"] }));
    // A little latency, so kills land while calls are in flight.
    return { texts: [JSON.stringify({ turns })], usage: { prompt_tokens: 50, completion_tokens: 20 }, delayMs: 20 + rng.int(60) };
  });
  baseURL = server.baseURL;
});

afterAll(() => server.close());

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `foresight sac annotate`; `killWhen` sends `signal` once that many progress lines were printed (plus a random delay). */
function annotate(args: string[], kill?: { afterProgress: number; delayMs: number; signal: NodeJS.Signals; onKill: () => void }): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "sac", "annotate", ...args], {
    cwd: cliRoot,
    env: { ...process.env, FORESIGHT_LLM_BASE_URL: baseURL, FORESIGHT_LLM_MODEL: "scripted", FORESIGHT_LLM_API_KEY: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!kill || sent || (stderr.match(/^\[\d+\/\d+\]/gm)?.length ?? 0) < kill.afterProgress) return;
    sent = true;
    setTimeout(() => {
      kill.onKill();
      child.kill(kill.signal);
    }, kill.delayMs);
  });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe("foresight sac annotate under SIGINT and SIGKILL", () => {
  it("ends with every dialogue annotated exactly once and no output ever shorter after a kill", { timeout: 120_000 }, async () => {
    if (!existsSync(resolveDataDir())) throw new Error(`shared data folder missing at ${resolveDataDir()}; set FORESIGHT_DATA_DIR`);
    const dir = mkdtempSync(join(tmpdir(), "sac-kill-"));
    try {
      const out = join(dir, "dd.jsonl");
      // Locks go stale after 5 s, not the minimum 2 s: a run stalled that long on a loaded machine would lose its lock.
      const args = ["--corpus", "dailydialog", "--limit", "16", "--seed", "5", "--out", out, "--concurrency", "3", "--timeout", "10", "--retries", "1", "--lock-stale-ms", "5000"];
      const rng = createRng(19);
      const size = () => (existsSync(out) ? statSync(out).size : 0);
      const plan: NodeJS.Signals[] = rng.next() < 0.5 ? ["SIGINT", "SIGKILL", "SIGINT", "SIGKILL"] : ["SIGKILL", "SIGINT", "SIGKILL", "SIGINT"];
      for (const signal of plan) {
        let before = -1;
        const run = await annotate(args, { afterProgress: 1 + rng.int(3), delayMs: rng.int(40), signal, onKill: () => (before = size()) });
        const context = `${signal}: ${run.stderr.slice(-400)}`;
        if (before >= 0) expect(size(), context).toBeGreaterThanOrEqual(before);
        if (signal === "SIGKILL") expect(run.signal ?? run.code, context).toBe(run.signal === null ? 0 : "SIGKILL");
        else if (run.signal === "SIGINT") {
          // The interrupt landed after the last dialogue was saved, while the process was exiting: nothing to drain.
          expect(run.stderr, context).toMatch(/^\[16\/16\]/m);
        } else {
          // Drained: in-flight dialogues were finished and saved, and a summary says what was kept.
          expect([0, 130], context).toContain(run.code);
          if (run.code === 130) expect(run.stdout).toMatch(/^interrupted: \d+ new annotations saved, \d+ dialogues left; run the same command again to resume$/m);
        }
      }
      const final = await annotate(args);
      expect(final.code, final.stderr).toBe(0);
      const ids = readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { id: string }).id);
      const expected = loadSacCorpus("dailydialog", { limit: 16, seed: 5 }).map((dialogue) => dialogue.id);
      expect(ids.length).toBe(expected.length);
      expect([...ids].sort()).toEqual([...expected].sort());
      expect(requests).toBeGreaterThanOrEqual(expected.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("two processes on the same --out never interleave: one is refused or finds the work done", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "sac-two-"));
    try {
      const out = join(dir, "dd.jsonl");
      // (Stale after 5 s, as above.)
      const args = ["--corpus", "dailydialog", "--limit", "16", "--seed", "6", "--out", out, "--concurrency", "2", "--lock-stale-ms", "5000"];
      const runs = await Promise.all([annotate(args), annotate(args)]);
      for (const run of runs) {
        if (run.code !== 0) expect(run.stderr).toMatch(/dd\.jsonl: another run is annotating into this file/);
      }
      expect(runs.some((run) => run.code === 0)).toBe(true);
      const ids = readFileSync(out, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids).toHaveLength(16);
      expect(new Set(ids).size).toBe(16);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
