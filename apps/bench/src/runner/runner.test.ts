import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { fakeSuite } from "../test-fixtures/fake-suite.js";
import { closeBench, mergeBench, runBench } from "./bench.js";
import { BenchError } from "./files.js";
import { readEpisodeLog } from "./episodes.js";
import { RUN_FILES, runSuite } from "./run-suite.js";
import type { BenchReport } from "./summary.js";

const root = mkdtempSync(join(tmpdir(), "bench-runner-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `run-${counter++}`);
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const base = { scale: "quick", seed: 7, commit: "test" } as const;

describe("bench runner", () => {
  it("writes every episode, summary.json in the report shape, the Markdown report and SVG plots", async () => {
    const outDir = freshDir();
    const suite = fakeSuite();
    const progress: [number, number][] = [];
    const runs = await runBench({ suites: [suite], ...base, outDir, onProgress: (done, total) => progress.push([done, total]) });
    const dir = join(outDir, "fake");
    expect(runs[0]?.complete).toBe(true);
    const records = readEpisodeLog(join(dir, RUN_FILES.episodes));
    expect(records).toHaveLength(suite.episodes("quick", 7).length);
    expect(records[0]?.transcript).toEqual([{ turn: 0, said: "hello from fake-planner@budget=1" }]);
    expect(progress.at(-1)).toEqual([32, 32]);

    const report = JSON.parse(read(dir, RUN_FILES.summary)) as BenchReport;
    expect(Object.keys(report).slice(0, 6)).toEqual(["suite", "summary", "seed", "commit", "machine", "scale"]);
    expect(report).toMatchObject({ suite: "fake", seed: 7, commit: "test", scale: "quick", episodes: 32 });
    const row = report.rows.find((r) => r.planner === "fake-planner@budget=4" && r.world === "matched" && r.metric === "reward");
    expect(row).toMatchObject({ setting: { budget: 4, timeMs: 40 }, n: 4 });
    expect(row!.ci95[0]).toBeLessThanOrEqual(row!.mean);
    expect(row!.ci95[1]).toBeGreaterThanOrEqual(row!.mean);
    expect(report.rows.some((r) => r.metric === "cost.llmCalls")).toBe(true);
    expect(report.rows.some((r) => r.metric === "cost.wallMs")).toBe(false); // timings stay out of the report
    // Paired: a − b per unit = 0.5·4 + noise difference, so the mean difference is 2 ± 1.
    const comparison = report.comparisons.find((c) => c.metric === "reward" && c.world === "matched");
    expect(comparison).toMatchObject({ a: "fake-planner@budget=4", b: "fake-baseline", n: 4 });
    expect(comparison!.meanDiff).toBeGreaterThan(1);
    expect(comparison!.meanDiff).toBeLessThan(3);
    const direct = records.filter((r) => r.spec.world === "matched" && r.spec.planner === "fake-planner@budget=4").map((r) => r.metrics.reward! - records.find((b) => b.spec.planner === "fake-baseline" && b.spec.world === "matched" && b.spec.unit === r.spec.unit)!.metrics.reward!);
    expect(comparison!.meanDiff).toBeCloseTo(direct.reduce((s, v) => s + v, 0) / direct.length, 12);

    const markdown = read(dir, RUN_FILES.report);
    expect(markdown).toContain("## Paired comparisons");
    expect(markdown).toContain("| matched | reward | fake-planner@budget=4 | fake-baseline | 4 |");
    expect(markdown).toContain("![Reward vs planning budget](plots/reward-vs-budget.svg)");
    const svgs = readdirSync(join(dir, RUN_FILES.plots)).sort();
    expect(svgs).toEqual(["reward-per-planner.svg", "reward-vs-budget.svg", "success-vs-tokens.svg"]);
    const svg = read(dir, "plots/reward-vs-budget.svg");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("fake-planner");
    expect(svg).toContain("mismatched");

    const { table } = closeBench(outDir, runs);
    expect(table).toMatch(/^fake-planner@budget=4 vs fake-baseline: reward\n {2}matched\s+4\s+\+\d\.\d+\s+\[/m);
    expect(table).toMatch(/llmCalls 8 \| 0\s+\d/);
    expect(Math.max(...table.split("\n").map((line) => line.length))).toBeLessThanOrEqual(120);
    // The report leads with the headline comparison and its costs; the details follow.
    expect(markdown.indexOf("## Headline")).toBeLessThan(markdown.indexOf("## Paired comparisons"));
    expect(markdown.indexOf("## Paired comparisons")).toBeLessThan(markdown.indexOf("## Results"));
    expect(existsSync(join(outDir, "headline.md"))).toBe(true);
  });

  it("gives byte-identical summary.json and plots for the same seed, and different numbers for another seed", async () => {
    const a = freshDir();
    const b = freshDir();
    const c = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: a });
    await runBench({ suites: [fakeSuite()], ...base, outDir: b });
    await runBench({ suites: [fakeSuite()], ...base, seed: 8, outDir: c });
    expect(read(join(b, "fake"), RUN_FILES.summary)).toBe(read(join(a, "fake"), RUN_FILES.summary));
    expect(read(join(b, "fake"), "plots/reward-vs-budget.svg")).toBe(read(join(a, "fake"), "plots/reward-vs-budget.svg"));
    const other = JSON.parse(read(join(c, "fake"), RUN_FILES.summary)) as BenchReport;
    const first = JSON.parse(read(join(a, "fake"), RUN_FILES.summary)) as BenchReport;
    expect(other.rows[0]?.mean).not.toBe(first.rows[0]?.mean);
  });

  it("resumes after an abort without repeating an episode, ending with the uninterrupted run's report", async () => {
    const reference = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: reference });
    const outDir = freshDir();
    const controller = new AbortController();
    const first = await runBench({ suites: [fakeSuite()], ...base, outDir, signal: controller.signal, onProgress: (done) => done >= 10 && controller.abort() });
    expect(first[0]).toMatchObject({ complete: false, finished: 10 });
    expect(existsSync(join(outDir, "fake", RUN_FILES.summary))).toBe(false);
    const calls: string[] = [];
    const suite = fakeSuite();
    const counting = { ...suite, run: (spec: Parameters<typeof suite.run>[0], ctx: Parameters<typeof suite.run>[1]) => (calls.push(spec.unit), suite.run(spec, ctx)) };
    const second = await runBench({ suites: [counting], ...base, outDir });
    expect(second[0]).toMatchObject({ complete: true, resumed: 10, finished: 32 });
    expect(calls).toHaveLength(22);
    const keys = readEpisodeLog(join(outDir, "fake", RUN_FILES.episodes)).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(read(join(outDir, "fake"), RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));
  });

  it("stops at once when aborted during an episode, even one that ignores the signal, and resumes from there", async () => {
    const reference = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: reference });
    const outDir = freshDir();
    const controller = new AbortController();
    const suite = fakeSuite();
    const blocked = suite.episodes("quick", 7)[5]!;
    // The sixth episode blocks for good (it never looks at the signal); the abort comes once it is known to block.
    const blocking = {
      ...suite,
      run: (spec: Parameters<typeof suite.run>[0], ctx: Parameters<typeof suite.run>[1]) => {
        if (spec.planner !== blocked.planner || spec.unit !== blocked.unit || spec.world !== blocked.world) return suite.run(spec, ctx);
        controller.abort();
        return new Promise<never>(() => undefined);
      },
    };
    const [stopped] = await runBench({ suites: [blocking], ...base, outDir, signal: controller.signal });
    expect(stopped).toMatchObject({ complete: false, finished: 5 });
    expect(readEpisodeLog(join(outDir, "fake", RUN_FILES.episodes)).map((r) => r.spec.planner)).toEqual(suite.episodes("quick", 7).slice(0, 5).map((s) => s.planner));
    const [resumed] = await runBench({ suites: [fakeSuite()], ...base, outDir });
    expect(resumed).toMatchObject({ complete: true, resumed: 5 });
    expect(read(join(outDir, "fake"), RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));
  });

  it("resumes after the process is killed mid-episode, dropping a torn last line", async () => {
    const reference = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: reference });
    const outDir = freshDir();
    const dir = join(outDir, "fake");
    // The child's episodes after the 8th never end, so the kill lands mid-run however late this process looks.
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../test-fixtures/run-fake.ts"), dir, "60", "8"], { stdio: "ignore" });
    onTestFinished(() => void child.kill("SIGKILL")); // a failed test leaves no stalled child behind
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const file = join(dir, RUN_FILES.episodes);
        if (existsSync(file) && readFileSync(file, "utf8").split("\n").length > 6) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 20);
      child.on("exit", (code) => code !== null && code !== 0 && reject(new Error(`child exited ${code}`)));
    });
    await new Promise((resolve) => child.on("close", resolve));
    const before = readEpisodeLog(join(dir, RUN_FILES.episodes)).length;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThanOrEqual(8);
    appendFileSync(join(dir, RUN_FILES.episodes), '{"key":"torn'); // as if killed while writing
    const runs = await runBench({ suites: [fakeSuite()], ...base, outDir });
    expect(runs[0]).toMatchObject({ complete: true, resumed: before });
    expect(read(dir, RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));
  });

  it("extends a run of another commit only after its rows replay the same, and records the commit", async () => {
    const reference = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: reference });
    const outDir = freshDir();
    const controller = new AbortController();
    await runBench({ suites: [fakeSuite()], ...base, outDir, signal: controller.signal, onProgress: (done) => done >= 10 && controller.abort() });
    await expect(runBench({ suites: [fakeSuite()], ...base, commit: "later", outDir })).rejects.toThrow(/holds a run with commit test, not later; .*--extend/);
    // Code that plays a finished episode differently is refused, and the folder is left as it was.
    const changed = fakeSuite();
    const drifted = { ...changed, run: async (spec: Parameters<typeof changed.run>[0], ctx: Parameters<typeof changed.run>[1]) => ({ ...(await changed.run(spec, ctx)), transcript: [{ turn: 0, said: "changed" }] }) };
    await expect(runBench({ suites: [drifted], ...base, commit: "later", outDir, extend: true })).rejects.toThrow(/--extend: episode fake fake-planner@budget=1 matched u0 seed 7 plays differently at this commit/);
    expect(JSON.parse(read(join(outDir, "fake"), RUN_FILES.meta))).not.toHaveProperty("extendedAt");
    const calls: string[] = [];
    const suite = fakeSuite();
    const counting = { ...suite, run: (spec: Parameters<typeof suite.run>[0], ctx: Parameters<typeof suite.run>[1]) => (calls.push(spec.planner), suite.run(spec, ctx)) };
    const runs = await runBench({ suites: [counting], ...base, commit: "later", outDir, extend: true });
    expect(runs[0]).toMatchObject({ complete: true, resumed: 10 });
    expect(calls).toHaveLength(22 + 4); // the 22 episodes left, after one replay per planner row (4 rows)
    expect(JSON.parse(read(join(outDir, "fake"), RUN_FILES.meta))).toMatchObject({ commit: "test", extendedAt: ["later"] });
    const report = JSON.parse(read(join(outDir, "fake"), RUN_FILES.summary)) as BenchReport;
    const { extendedAt, ...rest } = report;
    expect(extendedAt).toEqual(["later"]);
    expect(JSON.stringify(rest, null, 2) + "\n").toBe(read(join(reference, "fake"), RUN_FILES.summary));
    expect(read(join(outDir, "fake"), RUN_FILES.report)).toContain("- commit: `test`, extended at `later`");
  });

  it("--extend replays a row per planner and world, so a change in one world only is refused", async () => {
    const outDir = freshDir();
    const controller = new AbortController();
    // Stop after every matched episode (16) and the first mismatched unit's four rows: both worlds have finished rows.
    await runBench({ suites: [fakeSuite()], ...base, outDir, signal: controller.signal, onProgress: (done) => done >= 20 && controller.abort() });
    const finished = read(join(outDir, "fake"), RUN_FILES.episodes).trim().split("\n").map((line) => JSON.parse(line) as { spec: { world: string } });
    expect(new Set(finished.map((record) => record.spec.world))).toEqual(new Set(["matched", "mismatched"]));
    const suite = fakeSuite();
    const driftedInOneWorld = {
      ...suite,
      run: async (spec: Parameters<typeof suite.run>[0], ctx: Parameters<typeof suite.run>[1]) => {
        const outcome = await suite.run(spec, ctx);
        return spec.world === "mismatched" ? { ...outcome, transcript: [{ turn: 0, said: "changed" }] } : outcome;
      },
    };
    await expect(runBench({ suites: [driftedInOneWorld], ...base, commit: "later", outDir, extend: true })).rejects.toThrow(/--extend: episode fake \S+ mismatched u0 seed 7 plays differently/);
    expect(JSON.parse(read(join(outDir, "fake"), RUN_FILES.meta))).not.toHaveProperty("extendedAt");
  });

  it("merges --shard i/n outputs into the unsharded run's report", async () => {
    const reference = freshDir();
    await runBench({ suites: [fakeSuite()], ...base, outDir: reference });
    const shardDirs = [1, 2, 3].map(() => freshDir());
    for (const [i, dir] of shardDirs.entries()) {
      const runs = await runBench({ suites: [fakeSuite()], ...base, outDir: dir, shard: { index: i + 1, count: 3 } });
      expect(runs[0]?.complete).toBe(true);
      expect(runs[0]?.written).toBeUndefined();
    }
    const sizes = shardDirs.map((dir) => readEpisodeLog(join(dir, "fake", RUN_FILES.episodes)).length);
    expect(sizes.reduce((s, n) => s + n, 0)).toBe(32);
    await expect(mergeBench([fakeSuite()], shardDirs.slice(0, 2), freshDir())).rejects.toThrow(/shard 3\/3 missing/);
    const merged = freshDir();
    await mergeBench([fakeSuite()], shardDirs, merged);
    for (const file of [RUN_FILES.summary, "plots/reward-vs-budget.svg", "plots/success-vs-tokens.svg"]) {
      expect(read(join(merged, "fake"), file)).toBe(read(join(reference, "fake"), file));
    }
    const keys = (dir: string) => readEpisodeLog(join(dir, "fake", RUN_FILES.episodes)).map((r) => r.key);
    expect(keys(merged)).toEqual(keys(reference));
  });

  it("plays a share key's episodes once and reuses the outcome, resumed and sharded alike", async () => {
    const counting = (calls: string[]) => {
      const suite = fakeSuite({ shareBaseline: true });
      return { ...suite, run: (spec: Parameters<typeof suite.run>[0], ctx: Parameters<typeof suite.run>[1]) => (calls.push(`${spec.planner} ${spec.world}`), suite.run(spec, ctx)) };
    };
    const unsharedCalls: string[] = [];
    const plain = fakeSuite({ shareBaseline: true });
    const reference = freshDir();
    await runBench({ suites: [{ ...plain, shareKey: undefined, run: (spec, ctx) => (unsharedCalls.push(spec.planner), plain.run(spec, ctx)) }], ...base, outDir: reference });
    expect(unsharedCalls).toHaveLength(32);

    const calls: string[] = [];
    const outDir = freshDir();
    await runBench({ suites: [counting(calls)], ...base, outDir });
    expect(calls).toHaveLength(28); // the 4 baseline episodes of the mismatched world reuse the matched ones
    expect(calls.filter((c) => c === "fake-baseline mismatched")).toHaveLength(0);
    const records = readEpisodeLog(join(outDir, "fake", RUN_FILES.episodes));
    expect(records.map((r) => r.key)).toEqual(readEpisodeLog(join(reference, "fake", RUN_FILES.episodes)).map((r) => r.key)); // the suite's order
    const reused = records.filter((r) => r.reusedFrom !== undefined);
    expect(reused.map((r) => `${r.spec.planner} ${r.spec.world}`)).toEqual(Array(4).fill("fake-baseline mismatched"));
    expect(reused[0]?.metrics).toEqual(records.find((r) => r.key === reused[0]?.reusedFrom)?.metrics);
    expect(read(join(outDir, "fake"), RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));

    // Resumed after the matched baselines finished: their outcomes serve the rest without playing them again.
    const resumedDir = freshDir();
    const controller = new AbortController();
    await runBench({ suites: [counting([])], ...base, outDir: resumedDir, signal: controller.signal, onProgress: (done) => done >= 20 && controller.abort() });
    const resumedCalls: string[] = [];
    await runBench({ suites: [counting(resumedCalls)], ...base, outDir: resumedDir });
    expect(resumedCalls.filter((c) => c === "fake-baseline mismatched")).toHaveLength(0);
    expect(read(join(resumedDir, "fake"), RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));

    // Sharded: each shard plays the first episode of a key it holds; the merge equals the single run.
    const shardDirs = [1, 2].map(() => freshDir());
    for (const [i, dir] of shardDirs.entries()) await runBench({ suites: [counting([])], ...base, outDir: dir, shard: { index: i + 1, count: 2 } });
    const merged = freshDir();
    await mergeBench([fakeSuite({ shareBaseline: true })], shardDirs, merged);
    expect(read(join(merged, "fake"), RUN_FILES.summary)).toBe(read(join(reference, "fake"), RUN_FILES.summary));
  });

  it("keeps paired comparisons of wall-clock costs out of summary.json, in timings.json and the report's wall-time section", async () => {
    const suite = fakeSuite();
    const timed = { ...suite, comparisons: [...suite.comparisons, { metric: "cost.wallMs", a: "fake-planner@budget=4", b: "fake-baseline" }] };
    const outDir = freshDir();
    await runBench({ suites: [timed], ...base, outDir });
    const report = JSON.parse(read(join(outDir, "fake"), RUN_FILES.summary)) as BenchReport;
    expect(report.comparisons.some((c) => c.metric === "cost.wallMs")).toBe(false);
    const timings = JSON.parse(read(join(outDir, "fake"), RUN_FILES.timings)) as { comparisons: { metric: string; world: string; n: number; meanDiff: number }[] };
    expect(timings.comparisons.map((c) => [c.metric, c.world, c.n, c.meanDiff])).toEqual([["cost.wallMs", "matched", 4, 0], ["cost.wallMs", "mismatched", 4, 0]]);
    expect(read(join(outDir, "fake"), RUN_FILES.report)).toMatch(/Paired comparisons of wall-clock costs:\n\n.*\n.*\n\| matched \| cost\.wallMs \|/);
  });

  it("refuses a folder of another run, a repeated episode and a metric that is not a number", async () => {
    const outDir = freshDir();
    await runSuite({ suite: fakeSuite(), ...base, outDir });
    await expect(runSuite({ suite: fakeSuite(), ...base, seed: 9, outDir })).rejects.toThrow(/holds a run with seed 7, not 9/);
    const repeated = { ...fakeSuite(), episodes: () => [...fakeSuite().episodes("quick", 1), fakeSuite().episodes("quick", 1)[0]!] };
    await expect(runSuite({ suite: repeated, ...base, outDir: freshDir() })).rejects.toThrow(BenchError);
    const broken = { ...fakeSuite(), run: async () => ({ metrics: { reward: Number.NaN }, costs: {} }) };
    await expect(runSuite({ suite: broken, ...base, outDir: freshDir() })).rejects.toThrow(/metrics\.reward is NaN, not a finite number/);
    const throwing = { ...fakeSuite(), run: async () => Promise.reject(new Error("world exploded")) };
    await expect(runSuite({ suite: throwing, ...base, outDir: freshDir() })).rejects.toThrow("episode fake fake-planner@budget=1 matched u0 seed 7 failed: world exploded");
    const absent = { ...fakeSuite(), comparisons: [{ metric: "reward", a: "fake-planner@budget=4", b: "not at this scale" }] };
    const [absentRun] = await runBench({ suites: [absent], ...base, outDir: freshDir() });
    expect(absentRun?.written?.report.comparisons.map((c) => c.b)).toEqual(["fake-baseline", "fake-baseline"]); // the headline's only
    const unseeded = { ...fakeSuite(), episodes: (scale: string, seed: number) => fakeSuite().episodes(scale as "quick", seed).map((spec) => (spec.planner === "fake-baseline" ? { ...spec, seed: seed + 100 } : spec)) };
    await expect(runBench({ suites: [unseeded], ...base, outDir: freshDir() })).rejects.toThrow(/no episodes with the same unit and seed/);
  });
});
