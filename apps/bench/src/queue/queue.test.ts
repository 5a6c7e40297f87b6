import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Job, Queue } from "bullmq";
import type {} from "@foresight/vitest-config/redis-global-setup"; // types inject("redisUrl")
import { afterAll, describe, expect, inject, it } from "vitest";
import { runBench } from "../runner/bench.js";
import { readEpisodeLog } from "../runner/episodes.js";
import { RUN_FILES } from "../runner/run-suite.js";
import { fakeSuite } from "../test-fixtures/fake-suite.js";
import { queueExecutor } from "./queue.js";

const url = inject("redisUrl");
const root = mkdtempSync(join(tmpdir(), "bench-queue-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

/**
 * Starts a worker process; resolves once it is connected. `starts` collects the job ids it began. With `killIn`, the
 * worker's episode number `killIn` never ends and the worker is SIGKILLed once it has started it (so mid-episode).
 */
function startWorkerProcess(queueName: string, delayMs: number, killIn?: number): Promise<{ child: ChildProcess; starts: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../test-fixtures/queue-worker.ts"), url, queueName, String(delayMs), ...(killIn ? [String(killIn)] : [])], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const starts: string[] = [];
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line === "ready") resolve({ child, starts });
        else if (line.startsWith("start ") && starts.push(line.slice(6)) === killIn) child.kill("SIGKILL");
      }
    });
    child.on("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

describe("bench episodes through BullMQ on Redis", () => {
  it("runs on two worker processes, retries the episode of a worker killed mid-episode, and merges to the local report", async () => {
    const base = { scale: "quick", seed: 7, commit: "test" } as const;
    const local = join(root, "local");
    await runBench({ suites: [fakeSuite()], ...base, outDir: local });

    const queueName = `bench-test-${process.pid}-${Date.now()}`;
    // The first worker is killed in the middle of its third episode.
    const first = await startWorkerProcess(queueName, 150, 3);
    const second = await startWorkerProcess(queueName, 150);
    const distributed = join(root, "queue");
    const runs = await runBench({
      suites: [fakeSuite()],
      ...base,
      outDir: distributed,
      executor: () => queueExecutor({ url, queueName, scale: base.scale, commit: base.commit, pollMs: 50 }),
    });
    const killedJob = first.starts[2];
    expect(killedJob).toBeDefined();
    expect(runs[0]).toMatchObject({ complete: true, finished: 32 });
    const keys = readEpisodeLog(join(distributed, "fake", RUN_FILES.episodes)).map((r) => r.key);
    expect(new Set(keys).size).toBe(32);
    // The killed worker's episode was taken over by the other worker after its lock expired.
    expect(second.starts).toContain(killedJob);
    const queue = new Queue(queueName, { connection: { url } });
    const job = await Job.fromId(queue, killedJob!);
    expect(await job?.getState()).toBe("completed");
    expect(job!.stalledCounter).toBeGreaterThanOrEqual(1);
    await queue.obliterate({ force: true });
    await queue.close();
    second.child.kill("SIGTERM");
    expect(readFileSync(join(distributed, "fake", RUN_FILES.summary), "utf8")).toBe(readFileSync(join(local, "fake", RUN_FILES.summary), "utf8"));
  }, 120_000);
});
