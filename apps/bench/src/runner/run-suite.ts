import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { gitCommit, machineLabel } from "../machine.js";
import type { ChatModel } from "@foresight/llm-sim";
import type { EpisodeContext, EpisodeOutcome, EpisodeSpec, Suite } from "../suites/types.js";
import { appendEpisode, checkOutcome, enumerateEpisodes, episodeKey, orderRecords, readEpisodeLog, type EpisodeRecord, type Shard } from "./episodes.js";
import { BenchError, readJsonIfExists, writeFileAtomic } from "./files.js";

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
  /** Where episodes run (default: one after another in this process). */
  executor?: EpisodeExecutor;
  /** Live mode: the model a suite's LLM roles use (put the response cache around it). */
  llm?: ChatModel;
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

/** Plays one episode in this process and times it; an error the suite throws is re-thrown naming the episode (its stack kept). */
export async function runEpisode(suite: Suite, spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeRecord> {
  const start = performance.now();
  let result: EpisodeOutcome;
  try {
    result = await suite.run(spec, context);
  } catch (error) {
    if (!(error instanceof Error) || context.signal?.aborted) throw error;
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

/** The default executor: episodes one after another in this process, stopping between episodes when aborted. */
export function localExecutor(suite: Suite, dataDir?: string, llm?: ChatModel): EpisodeExecutor {
  return {
    async run(pending, onRecord, signal) {
      for (const spec of pending) {
        if (signal?.aborted) return;
        const record = await runEpisode(suite, spec, { signal, dataDir, ...(llm ? { llm } : {}) });
        if (signal?.aborted) return; // an episode cut short by the abort is not a result
        onRecord(record);
      }
    },
  };
}

/** Reads `run.json` of a folder and checks it describes the same run; writes it for a new folder. */
function claimRunFolder(outDir: string, meta: RunMeta): void {
  const file = join(outDir, RUN_FILES.meta);
  const existing = readJsonIfExists(file);
  if (existing === undefined) {
    writeFileAtomic(file, `${JSON.stringify(meta, null, 2)}\n`);
    return;
  }
  const parsed = RunMetaSchema.safeParse(existing);
  if (!parsed.success) throw new BenchError(`${file}: not a bench run description`);
  const fields = ["suite", "scale", "seed", "commit", "llm"] as const;
  for (const field of fields) {
    if (parsed.data[field] !== meta[field]) {
      throw new BenchError(`${outDir} holds a run with ${field} ${String(parsed.data[field])}, not ${String(meta[field])}; use another --out folder`);
    }
  }
  const shardText = (shard: Shard | null) => (shard ? `${shard.index}/${shard.count}` : "none");
  if (shardText(parsed.data.shard) !== shardText(meta.shard)) throw new BenchError(`${outDir} holds shard ${shardText(parsed.data.shard)}, not ${shardText(meta.shard)}; use another --out folder`);
}

/**
 * Runs a suite's episodes at a scale and seed into `outDir`: episodes already in its `episodes.jsonl` are skipped,
 * every other one is appended as it finishes, so a crash or Ctrl-C loses at most the episodes in flight.
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunResult> {
  const { suite, scale, seed, outDir } = options;
  const meta: RunMeta = { suite: suite.name, scale, seed, shard: options.shard ?? null, commit: options.commit ?? gitCommit(), llm: options.llm?.id ?? null };
  const specs = enumerateEpisodes(suite, scale, seed, options.shard);
  claimRunFolder(outDir, meta);
  const logFile = join(outDir, RUN_FILES.episodes);
  const finished = orderRecords(specs, readEpisodeLog(logFile), logFile);
  const done = new Map(finished.map((record) => [record.key, record]));
  const resumed = done.size;
  const pending = specs.filter((spec) => !done.has(episodeKey(spec)));
  options.onProgress?.(done.size, specs.length, resumed > 0 ? `${suite.name}: resumed ${resumed} finished episodes` : `${suite.name}: starting`);
  const executor = options.executor ?? localExecutor(suite, options.dataDir, options.llm);
  await executor.run(
    pending,
    (record) => {
      if (done.has(record.key)) return; // a queue may deliver a retried episode twice; keep the first
      appendEpisode(logFile, record);
      done.set(record.key, record);
      options.onProgress?.(done.size, specs.length, episodeLabel(record.spec));
    },
    options.signal,
  );
  const records = orderRecords(specs, [...done.values()], logFile);
  return { meta, outDir, total: specs.length, resumed, complete: records.length === specs.length, records };
}
