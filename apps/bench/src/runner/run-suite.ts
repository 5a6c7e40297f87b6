import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { z } from "zod";
import { gitCommit, machineLabel } from "../machine.js";
import { ChatModelError, canonicalJson } from "@foresight/llm-sim";
import type { EpisodeContext, EpisodeOutcome, EpisodeSpec, Suite } from "../suites/types.js";
import { appendEpisode, checkOutcome, enumerateEpisodes, episodeKey, orderRecords, readEpisodeLog, reuseOutcome, type EpisodeRecord, type Shard } from "./episodes.js";
import { BenchError, readJsonIfExists, writeFileAtomic } from "./files.js";
import { isTimingCost } from "./summary.js";
import { cacheNamespace, type LiveLlm } from "./live.js";
import { processPoolExecutor } from "./pool.js";

/** Files of a run folder. */
export const RUN_FILES = { meta: "run.json", episodes: "episodes.jsonl", summary: "summary.json", timings: "timings.json", report: "report.md", plots: "plots" } as const;

/** Reports progress: `done` of `total` episodes finished, `label` naming the last one. */
export type ProgressCallback = (done: number, total: number, label: string) => void;

/** What identifies a run folder (`run.json`): resuming needs the same suite, scale, seed, shard and commit. */
export const RunMetaSchema = z.object({
  suite: z.string(),
  scale: z.string(),
  seed: z.number().int(),
  shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
  commit: z.string(),
  /** The LLM of a live run (its id), or null for the offline roles. */
  llm: z.string().nullable().default(null),
  /** Later commits that added episodes to this run (`--extend`), after a replay check showed they play its episodes the same. */
  extendedAt: z.array(z.string()).optional(),
});
export type RunMeta = z.output<typeof RunMetaSchema>;

/** Runs pending episodes somewhere (in this process, or on queue workers) and hands back each record as it finishes. */
export interface EpisodeExecutor {
  run(pending: readonly EpisodeSpec[], onRecord: (record: EpisodeRecord) => void, signal?: AbortSignal): Promise<void>;
}

/** Options for {@link runSuite}. */
export interface RunSuiteOptions {
  suite: Suite;
  scale: string;
  seed: number;
  /** The run folder: `run.json`, `episodes.jsonl` (appended as episodes finish) and, once complete, the report files. */
  outDir: string;
  shard?: Shard;
  dataDir?: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** The code's commit (default: `git rev-parse HEAD`). */
  commit?: string;
  /** Where episodes run (default: `jobs` worker processes, or one after another in this process). */
  executor?: EpisodeExecutor;
  /** Worker processes playing episodes in parallel (default 1: this process); the output is the same either way. */
  jobs?: number;
  /** The module (URL) and export listing the suites worker processes load (default: the shipped suites). */
  suitesModule?: { url: string; exportName: string };
  /** Live mode (or its replay): the LLM a suite's LLM roles use, one response-cache view per episode. */
  llm?: LiveLlm;
  /**
   * Resume a folder started at another commit: first replay the first played episode of each planner row there and
   * refuse unless every one comes out the same (metrics, deterministic costs, transcript); the commit is then added
   * to run.json's `extendedAt`.
   */
  extend?: boolean;
}

/** The state of a run after {@link runSuite}: its records in the suite's order and whether every episode finished. */
export interface RunResult {
  meta: RunMeta;
  outDir: string;
  total: number;
  /** Episodes found finished in the folder before this call (skipped). */
  resumed: number;
  complete: boolean;
  records: EpisodeRecord[];
}

/** A short label of an episode for progress lines. */
export function episodeLabel(spec: EpisodeSpec): string {
  return `${spec.suite} ${spec.planner} ${spec.world} ${spec.unit} seed ${spec.seed}`;
}

/**
 * The episode's outcome, or a rejection with the signal's reason as soon as it aborts, whether or not the suite's
 * code notices the signal (an episode cut short is not a result; whatever it still does is ignored).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Plays one episode in this process and times it; an error the suite throws is re-thrown naming the episode (its stack kept). */
export async function runEpisode(suite: Suite, spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeRecord> {
  const start = performance.now();
  let result: EpisodeOutcome;
  try {
    result = await untilAborted(suite.run(spec, context), context.signal);
  } catch (error) {
    if (!(error instanceof Error) || context.signal?.aborted) throw error;
    if (error instanceof ChatModelError && error.kind === "cache-miss") throw new BenchError(`episode ${episodeLabel(spec)}: ${error.message}; play it with --live first`);
    const wrapped = new Error(`episode ${episodeLabel(spec)} failed: ${error.message}`, { cause: error });
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${(error.stack ?? "").split("\n").slice(1).join("\n")}`;
    throw wrapped;
  }
  const outcome = checkOutcome(suite.name, spec, result);
  const wallMs = Math.round((performance.now() - start) * 100) / 100;
  const record: EpisodeRecord = { key: episodeKey(spec), spec, metrics: outcome.metrics, costs: outcome.costs, wallMs, machine: machineLabel() };
  if (outcome.transcript !== undefined) record.transcript = outcome.transcript;
  return record;
}

/** The context of an episode: the run's signal and data folder, and in live mode the episode's view of the LLM. */
export function episodeContext(suite: Suite, spec: EpisodeSpec, options: { signal?: AbortSignal; dataDir?: string; llm?: LiveLlm }): EpisodeContext {
  const context: EpisodeContext = {};
  if (options.signal) context.signal = options.signal;
  if (options.dataDir !== undefined) context.dataDir = options.dataDir;
  if (options.llm) context.llm = options.llm.forEpisode(cacheNamespace(suite, spec));
  return context;
}

/** The default executor: episodes one after another in this process; an abort stops it at once, dropping the episode in flight. */
export function localExecutor(suite: Suite, dataDir?: string, llm?: LiveLlm): EpisodeExecutor {
  return {
    async run(pending, onRecord, signal) {
      for (const spec of pending) {
        // A macrotask between episodes, so that a signal arriving while episodes only ran microtasks is seen here.
        await nextMacrotask();
        if (signal?.aborted) return;
        let record: EpisodeRecord;
        try {
          record = await runEpisode(suite, spec, episodeContext(suite, spec, { signal, dataDir, llm }));
        } catch (error) {
          if (signal?.aborted) return; // the episode in flight was cut short: not a result
          throw error;
        }
        if (signal?.aborted) return;
        onRecord(record);
      }
    },
  };
}

/**
 * Reads `run.json` of a folder and checks it describes the same run; writes it for a new folder. Returns the folder's
 * description (a run started at another commit keeps that commit when `extend` allows resuming it).
 */
function claimRunFolder(outDir: string, meta: RunMeta, extend: boolean): RunMeta {
  const file = join(outDir, RUN_FILES.meta);
  const existing = readJsonIfExists(file);
  if (existing === undefined) {
    writeFileAtomic(file, `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  }
  const parsed = RunMetaSchema.safeParse(existing);
  if (!parsed.success) throw new BenchError(`${file}: not a bench run description`);
  const fields = ["suite", "scale", "seed", "commit", "llm"] as const;
  for (const field of fields) {
    if (field === "commit" && extend) continue;
    if (parsed.data[field] !== meta[field]) {
      const hint = field === "commit" ? "use another --out folder, or --extend to add this commit's episodes after a replay check" : "use another --out folder";
      throw new BenchError(`${outDir} holds a run with ${field} ${String(parsed.data[field])}, not ${String(meta[field])}; ${hint}`);
    }
  }
  const shardText = (shard: Shard | null) => (shard ? `${shard.index}/${shard.count}` : "none");
  if (shardText(parsed.data.shard) !== shardText(meta.shard)) throw new BenchError(`${outDir} holds shard ${shardText(parsed.data.shard)}, not ${shardText(meta.shard)}; use another --out folder`);
  return parsed.data;
}

/** What must come out the same when an episode is played again: metrics, costs that are not wall-clock times, transcript. */
function deterministicPart(record: Pick<EpisodeRecord, "metrics" | "costs" | "transcript">): string {
  const costs = Object.fromEntries(Object.entries(record.costs).filter(([name]) => !isTimingCost(name)));
  return canonicalJson({ metrics: record.metrics, costs, transcript: record.transcript ?? null });
}

/**
 * Before episodes of this commit join a run started at another: replays the first played (not reused) episode of
 * each row (planner × world: a change may touch one world only) and throws naming the first that comes out differently.
 */
async function checkReplay(suite: Suite, finished: readonly EpisodeRecord[], options: RunSuiteOptions): Promise<void> {
  const checked = new Set<string>();
  for (const record of finished) {
    const row = `${record.spec.planner}\u0000${record.spec.world}`;
    if (record.reusedFrom !== undefined || checked.has(row)) continue;
    checked.add(row);
    const again = await runEpisode(suite, record.spec, episodeContext(suite, record.spec, options));
    if (deterministicPart(again) !== deterministicPart(record)) {
      throw new BenchError(`--extend: episode ${episodeLabel(record.spec)} plays differently at this commit than in the run; start a new --out folder`);
    }
  }
}

/**
 * Runs a suite's episodes at a scale and seed into `outDir`: episodes already in its `episodes.jsonl` are skipped,
 * every other one is appended as it finishes, in the suite's order (a record that arrives early waits for those
 * before it), so the file is the same however the episodes ran; a crash or Ctrl-C loses at most the episodes in
 * flight or waiting. Episodes with the same `shareKey` are played once: the others reuse that outcome.
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunResult> {
  const { suite, scale, seed, outDir } = options;
  const meta: RunMeta = { suite: suite.name, scale, seed, shard: options.shard ?? null, commit: options.commit ?? gitCommit(), llm: options.llm?.id ?? null };
  const specs = enumerateEpisodes(suite, scale, seed, options.shard, options.dataDir);
  const folderMeta = claimRunFolder(outDir, meta, options.extend ?? false);
  const logFile = join(outDir, RUN_FILES.episodes);
  const finished = orderRecords(specs, readEpisodeLog(logFile), logFile);
  if (folderMeta.commit !== meta.commit) {
    const pendingHere = specs.length - finished.length;
    if (pendingHere > 0 && !(folderMeta.extendedAt ?? []).includes(meta.commit)) {
      try {
        await checkReplay(suite, finished, options);
      } catch (error) {
        // Stopped (Ctrl-C) during the check: an ordinary stop — nothing was added, the folder is as it was.
        if (options.signal?.aborted) return { meta: folderMeta, outDir, total: specs.length, resumed: finished.length, complete: false, records: finished };
        throw error;
      }
      folderMeta.extendedAt = [...(folderMeta.extendedAt ?? []), meta.commit];
      writeFileAtomic(join(outDir, RUN_FILES.meta), `${JSON.stringify(folderMeta, null, 2)}\n`);
    }
  }
  const done = new Map(finished.map((record) => [record.key, record]));
  const resumed = done.size;
  const pending = specs.filter((spec) => !done.has(episodeKey(spec)));
  options.onProgress?.(done.size, specs.length, resumed > 0 ? `${suite.name}: resumed ${resumed} finished episodes` : `${suite.name}: starting`);

  // Outcome sharing: a share key's first outcome (finished earlier or played now) serves every episode of the key.
  const shareKeyOf = (spec: EpisodeSpec) => suite.shareKey?.(spec);
  const sources = new Map<string, EpisodeRecord>();
  const addSource = (record: EpisodeRecord) => {
    const key = shareKeyOf(record.spec);
    if (key !== undefined && !sources.has(key)) sources.set(key, record);
  };
  finished.forEach(addSource);
  const claimed = new Set<string>();
  const toPlay = pending.filter((spec) => {
    const key = shareKeyOf(spec);
    if (key === undefined) return true;
    if (sources.has(key) || claimed.has(key)) return false;
    claimed.add(key);
    return true;
  });

  const arrived = new Map<string, EpisodeRecord>();
  const write = (record: EpisodeRecord) => {
    appendEpisode(logFile, record);
    done.set(record.key, record);
    options.onProgress?.(done.size, specs.length, episodeLabel(record.spec));
  };
  const recordOf = (spec: EpisodeSpec): EpisodeRecord | undefined => {
    const key = episodeKey(spec);
    const record = arrived.get(key);
    if (record) return record;
    const shareKey = shareKeyOf(spec);
    const source = shareKey === undefined ? undefined : sources.get(shareKey);
    return source ? reuseOutcome(source, spec) : undefined;
  };
  let next = 0;
  const flush = () => {
    for (; next < pending.length; next++) {
      const record = recordOf(pending[next] as EpisodeSpec);
      if (!record) return;
      arrived.delete(record.key);
      write(record);
    }
  };
  const executor =
    options.executor ??
    ((options.jobs ?? 1) > 1
      ? processPoolExecutor(suite, { jobs: options.jobs as number, dataDir: options.dataDir, llm: options.llm, suitesModule: options.suitesModule?.url, exportName: options.suitesModule?.exportName })
      : localExecutor(suite, options.dataDir, options.llm));
  try {
    await executor.run(
      toPlay,
      (record) => {
        if (done.has(record.key) || arrived.has(record.key)) return; // a queue may deliver a retried episode twice; keep the first
        arrived.set(record.key, record);
        addSource(record);
        flush();
      },
      options.signal,
    );
  } finally {
    // Stopped early (Ctrl-C, an error): keep every finished outcome, out of order; a resume reads any order.
    for (const spec of pending.slice(next)) {
      const record = done.has(episodeKey(spec)) ? undefined : recordOf(spec);
      if (record) write(record);
    }
  }
  const records = orderRecords(specs, [...done.values()], logFile);
  return { meta: folderMeta, outDir, total: specs.length, resumed, complete: records.length === specs.length, records };
}
