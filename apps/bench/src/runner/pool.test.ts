import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { afterAll, describe, expect, it } from "vitest";
import { suites } from "../test-fixtures/pool-suites.js";
import { runBench } from "./bench.js";
import { BenchError } from "./files.js";
import { liveLlm } from "./live.js";
import { RUN_FILES } from "./run-suite.js";

const root = mkdtempSync(join(tmpdir(), "bench-pool-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `run-${counter++}`);
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const base = { scale: "quick", seed: 7, commit: "test" } as const;
const suitesModule = { url: new URL("../test-fixtures/pool-suites.ts", import.meta.url).href, exportName: "suites" };
const pool = (jobs: number) => ({ jobs, suitesModule });

/** The JSONL without the runner's wall times (the only field that varies between two runs of the same episodes). */
const withoutWallMs = (text: string) => text.replace(/"wallMs":[\d.]+/g, '"wallMs":0');
/** report.md without its wall-time numbers (the Wall time table and the " ms" part of each cost). */
const withoutWallTimes = (text: string) => text.replace(/## Wall time[\s\S]*?(?=\n## |$)/, "").replace(/, [\d.,]+ ms /g, " ");

/** An endpoint whose answers differ on every call (a sampling model): replays can only match through the cache. */
function samplingEndpoint() {
  return new ScriptedChatModel({ id: "sampling", respond: (_request, call) => "x".repeat(1 + ((call * 7919) % 13)) });
}

describe("foresight bench --jobs N", () => {
  it("writes the same JSONL, summary.json and report.md as a sequential run, sharing outcomes alike", async () => {
    for (const name of ["fake", "fake-shared"]) {
      const sequential = freshDir();
      const parallel = freshDir();
      await runBench({ suites, names: [name], ...base, outDir: sequential });
      const [run] = await runBench({ suites, names: [name], ...base, outDir: parallel, ...pool(3) });
      expect(run).toMatchObject({ complete: true, finished: 32 });
      const [a, b] = [join(sequential, name), join(parallel, name)];
      expect(withoutWallMs(read(b, RUN_FILES.episodes))).toBe(withoutWallMs(read(a, RUN_FILES.episodes)));
      expect(read(b, RUN_FILES.summary)).toBe(read(a, RUN_FILES.summary));
      expect(withoutWallTimes(read(b, RUN_FILES.report))).toBe(withoutWallTimes(read(a, RUN_FILES.report)));
      expect(read(b, RUN_FILES.report)).toContain("## Wall time");
    }
  }, 60_000);

  it("stops at an episode that throws in a worker, naming it, and keeps the finished ones", async () => {
    const outDir = freshDir();
    await expect(runBench({ suites, names: ["fake-failing"], ...base, outDir, ...pool(2) })).rejects.toThrow("episode fake-failing fake-planner@budget=1 matched u2 seed 7 failed: world exploded");
    const kept = read(join(outDir, "fake-failing"), RUN_FILES.episodes).trim().split("\n").length;
    // The 8 episodes before the failing one, less the one the other worker may still be playing when it fails.
    expect(kept).toBeGreaterThanOrEqual(7);
    expect(kept).toBeLessThan(32);
  }, 60_000);

  it("plays live episodes in workers through per-episode cache views; replays match sequentially and in parallel", async () => {
    const endpoint = samplingEndpoint();
    const cacheDir = join(root, "cache-sequential");
    const live = freshDir();
    await runBench({ suites, names: ["fake-live"], ...base, outDir: live, llm: liveLlm({ model: endpoint, cacheDir }) });
    expect(endpoint.requests).toHaveLength(64);
    const reference = read(join(live, "fake-live"), RUN_FILES.summary);
    expect(JSON.parse(reference)).toMatchObject({ llm: "sampling" });
    for (const jobs of [1, 3]) {
      const replay = freshDir();
      await runBench({ suites, names: ["fake-live"], ...base, outDir: replay, llm: liveLlm({ id: "sampling", replay: true, cacheDir }), ...pool(jobs) });
      expect(read(join(replay, "fake-live"), RUN_FILES.summary)).toBe(reference);
    }
    // Live in parallel (answers arrive in another order), replayed one after another: the same numbers.
    const parallelCache = join(root, "cache-parallel");
    const parallel = freshDir();
    await runBench({ suites, names: ["fake-live"], ...base, outDir: parallel, llm: liveLlm({ model: samplingEndpoint(), cacheDir: parallelCache }), ...pool(3) });
    const replay = freshDir();
    await runBench({ suites, names: ["fake-live"], ...base, outDir: replay, llm: liveLlm({ id: "sampling", replay: true, cacheDir: parallelCache }) });
    expect(read(join(replay, "fake-live"), RUN_FILES.summary)).toBe(read(join(parallel, "fake-live"), RUN_FILES.summary));
    // A replay of answers never stored fails with one clear line.
    const empty = liveLlm({ id: "sampling", replay: true, cacheDir: join(root, "no-cache") });
    for (const jobs of [1, 2]) {
      const attempt = runBench({ suites, names: ["fake-live"], ...base, outDir: freshDir(), llm: empty, ...pool(jobs) });
      await expect(attempt).rejects.toThrow(BenchError);
      // Which episode misses first depends on which worker asks first, so any of them may be named.
      await expect(attempt).rejects.toThrow(/episode fake-live fake-(planner@budget=\d|baseline) (matched|mismatched) u\d seed 7: LLM cache in .* has no response .*; play it with --live first/);
    }
  }, 60_000);
});
