import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gitCommit } from "../machine.js";
import type { Suite } from "../suites/types.js";
import { BenchError, writeFileAtomic } from "./files.js";
import { headlineLines, headlineTable, type HeadlineLine } from "./format.js";
import { mergeRuns, readMeta } from "./merge.js";
import { writeRunReport, type WrittenReport } from "./output.js";
import { RUN_FILES, runSuite, type EpisodeExecutor, type RunSuiteOptions } from "./run-suite.js";

/** Options for {@link runBench}: those of {@link runSuite} for every suite, with a root folder and a suite selection. */
export interface RunBenchOptions extends Omit<RunSuiteOptions, "suite" | "outDir" | "executor"> {
  /** Every suite known; `names` picks some (all when empty). */
  suites: readonly Suite[];
  names?: readonly string[];
  /** The root folder; each suite writes into `<outDir>/<suite>`. */
  outDir: string;
  /** Where each suite's episodes run (default: in this process). */
  executor?: (suite: Suite) => EpisodeExecutor;
}

/** One suite's part of a bench run. */
export interface SuiteRun {
  suite: string;
  dir: string;
  total: number;
  finished: number;
  resumed: number;
  complete: boolean;
  /** The written report (complete unsharded runs only). */
  written?: WrittenReport;
}

/** The default root folder of a run's output. */
export function defaultOutDir(scale: string, seed: number): string {
  return join("bench-results", `${scale}-seed-${seed}`);
}

/** Picks suites by name, in the list's order (all when no name is given); an unknown name is an error listing the known ones. */
export function selectSuites(suites: readonly Suite[], names: readonly string[] = []): Suite[] {
  for (const name of names) {
    if (!suites.some((suite) => suite.name === name)) throw new BenchError(`unknown suite "${name}" (known: ${suites.map((s) => s.name).join(", ") || "none yet"}; speed suites: mcts, semantic)`);
  }
  return names.length === 0 ? [...suites] : suites.filter((suite) => names.includes(suite.name));
}

/**
 * Runs suites one after another into `<outDir>/<suite>` (resuming what is there) and writes each complete
 * unsharded suite's report; stops at once when `signal` aborts (finished episodes kept, the one in flight dropped).
 */
export async function runBench(options: RunBenchOptions): Promise<SuiteRun[]> {
  const selected = selectSuites(options.suites, options.names);
  const commit = options.commit ?? gitCommit();
  const runs: SuiteRun[] = [];
  for (const suite of selected) {
    if (options.signal?.aborted) break;
    const dir = join(options.outDir, suite.name);
    const result = await runSuite({
      suite,
      scale: options.scale,
      seed: options.seed,
      outDir: dir,
      shard: options.shard,
      dataDir: options.dataDir,
      signal: options.signal,
      onProgress: options.onProgress,
      commit,
      executor: options.executor?.(suite),
      llm: options.llm,
      jobs: options.jobs,
      suitesModule: options.suitesModule,
      extend: options.extend,
    });
    const run: SuiteRun = { suite: suite.name, dir, total: result.total, finished: result.records.length, resumed: result.resumed, complete: result.complete };
    if (result.complete && !options.shard) run.written = await writeRunReport(suite, result.meta, result.records, dir);
    runs.push(run);
  }
  return runs;
}

/** Headline lines of the complete suites of a run, and the terminal table, also written to `<outDir>/headline.md`. */
export function closeBench(outDir: string, runs: readonly SuiteRun[]): { lines: HeadlineLine[]; table: string } {
  const lines = runs.flatMap((run) => (run.written ? headlineLines(run.written.report, run.written.timings) : []));
  const table = headlineTable(lines);
  writeFileAtomic(join(outDir, "headline.md"), `# Bench headline\n\nEach system against its best baseline (paired, a − b over the same units and seeds, with the bootstrap 95 % CI); the suite's first cost and the wall time as system | baseline, per turn where the suite reports turns (else per episode). Every cost is in each suite's report.md.\n\n\`\`\`\n${table}\n\`\`\`\n`);
  return { lines, table };
}

/** The suite run folders under each given folder: the folder itself when it holds run.json, else its subfolders that do. */
export function runFolders(dir: string): string[] {
  if (existsSync(join(dir, RUN_FILES.meta))) return [dir];
  if (!existsSync(dir)) throw new BenchError(`${dir}: no such folder`);
  const found = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, RUN_FILES.meta)))
    .map((entry) => join(dir, entry.name));
  if (found.length === 0) throw new BenchError(`${dir}: holds no bench run (no ${RUN_FILES.meta} in it or its subfolders)`);
  return found;
}

/** Merges shard outputs: suite folders (or roots holding them) grouped by suite into `<outDir>/<suite>`, in the list's order. */
export async function mergeBench(suites: readonly Suite[], dirs: readonly string[], outDir: string, dataDir?: string): Promise<SuiteRun[]> {
  const bySuite = new Map<string, string[]>();
  for (const folder of dirs.flatMap(runFolders)) {
    const suite = readMeta(folder).suite;
    if (!suites.some((s) => s.name === suite)) throw new BenchError(`${folder}: unknown suite "${suite}" (known: ${suites.map((s) => s.name).join(", ") || "none"})`);
    bySuite.set(suite, [...(bySuite.get(suite) ?? []), folder]);
  }
  const runs: SuiteRun[] = [];
  for (const suite of suites) {
    const folders = bySuite.get(suite.name);
    if (!folders) continue;
    const dir = join(outDir, suite.name);
    const merged = await mergeRuns(suites, folders, dir, dataDir);
    runs.push({ suite: suite.name, dir, total: merged.records.length, finished: merged.records.length, resumed: 0, complete: true, written: merged });
  }
  return runs;
}
