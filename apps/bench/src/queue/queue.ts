import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { gitCommit } from "../machine.js";
import { EpisodeRecordSchema, episodeKey, type EpisodeRecord } from "../runner/episodes.js";
import { BenchError } from "../runner/files.js";
import type { LiveLlm } from "../runner/live.js";
import { episodeContext, runEpisode, type EpisodeExecutor } from "../runner/run-suite.js";
import type { EpisodeSpec, Suite } from "../suites/types.js";

/** The BullMQ queue bench episodes go through unless another is named. */
export const DEFAULT_QUEUE = "foresight-bench";

/** What a queued job carries: the episode and the commit of the code that must run it. */
export interface EpisodeJobData {
  spec: EpisodeSpec;
  commit: string;
  dataDir?: string;
  /** The LLM id of a live run (workers must play with the same model), absent offline. */
  llm?: string;
}

function connection(url: string) {
  // Workers block on Redis; BullMQ requires unlimited retries per request for them.
  return { url, maxRetriesPerRequest: null };
}

/** Connects once to Redis and pings it (no reconnect loop), so an unreachable server is one clear error. */
export async function checkRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  client.on("error", () => undefined); // reported through the rejected connect below
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new BenchError(`cannot reach Redis at ${url}: ${(error as Error).message}`);
  } finally {
    client.disconnect();
  }
}

/** The job id of an episode of a run: stable, so enqueueing a run again never duplicates a job. */
export function episodeJobId(commit: string, scale: string, spec: EpisodeSpec): string {
  return createHash("sha256").update(`${commit}\u0000${scale}\u0000${episodeKey(spec)}`).digest("hex");
}

/** Options of {@link queueExecutor}. */
export interface QueueExecutorOptions {
  /** Redis URL, e.g. redis://127.0.0.1:6379. */
  url: string;
  queueName?: string;
  scale: string;
  commit: string;
  dataDir?: string;
  /** The LLM id of a live run; workers started with another model (or none) refuse its episodes. */
  llm?: string;
  /** How often finished jobs are collected (default 250 ms). */
  pollMs?: number;
  /** Attempts per episode when a worker's run throws (default 3); a worker that dies is handled by stall detection. */
  attempts?: number;
}

/**
 * Runs episodes on BullMQ workers: enqueues each pending episode once (its job id is derived from commit, scale and
 * episode), then collects finished jobs' records as they complete. A job that exhausts its attempts ends the run
 * with its failure reason. Aborting stops waiting; the queued jobs stay, and the next run collects them.
 */
export function queueExecutor(options: QueueExecutorOptions): EpisodeExecutor {
  return {
    async run(pending, onRecord, signal) {
      await checkRedis(options.url);
      const queue = new Queue<EpisodeJobData, EpisodeRecord>(options.queueName ?? DEFAULT_QUEUE, { connection: connection(options.url) });
      try {
        const ids = pending.map((spec) => episodeJobId(options.commit, options.scale, spec));
        await queue.addBulk(
          pending.map((spec, i) => ({
            name: spec.suite,
            data: { spec, commit: options.commit, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.llm ? { llm: options.llm } : {}) },
            opts: { jobId: ids[i], attempts: options.attempts ?? 3, backoff: { type: "fixed", delay: 500 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 24 * 3600 } },
          })),
        );
        const outstanding = new Set(ids);
        while (outstanding.size > 0 && !signal?.aborted) {
          for (const id of [...outstanding]) {
            const job = await Job.fromId<EpisodeJobData, EpisodeRecord>(queue, id);
            if (!job) throw new BenchError(`queue ${queue.name}: job ${id} vanished before it finished`);
            if (job.finishedOn === undefined) continue;
            if (await job.isFailed()) throw new BenchError(`queue ${queue.name}: episode ${job.data.spec.planner} ${job.data.spec.world} ${job.data.spec.unit} seed ${job.data.spec.seed} failed: ${job.failedReason}`);
            const parsed = EpisodeRecordSchema.safeParse(job.returnvalue);
            if (!parsed.success) throw new BenchError(`queue ${queue.name}: job ${id} returned something that is not an episode record`);
            outstanding.delete(id);
            onRecord(parsed.data as EpisodeRecord);
          }
          if (outstanding.size > 0) await sleep(options.pollMs ?? 250, undefined, { signal }).catch(() => undefined);
        }
      } finally {
        await queue.close();
      }
    },
  };
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  url: string;
  suites: readonly Suite[];
  queueName?: string;
  /** Episodes run at once by this worker (default 1). */
  concurrency?: number;
  /** The worker's commit (default: `git rev-parse HEAD`); a job from another commit fails rather than mix code. */
  commit?: string;
  /** How long a job's lock lasts without renewal: a worker that dies loses its job after this (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (default half the lock duration). */
  stalledIntervalMs?: number;
  /** Called when an episode starts (for logs). */
  onStart?: (spec: EpisodeSpec, jobId: string) => void;
  /** Live mode or its replay: the LLM for the suites' LLM roles (its id must match the producer's). */
  llm?: LiveLlm;
}

/** Starts a BullMQ worker that plays queued bench episodes with the given suites; `close()` stops it after its current jobs. */
export async function startWorker(options: WorkerOptions): Promise<{ close(): Promise<void> }> {
  await checkRedis(options.url);
  const commit = options.commit ?? gitCommit();
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<EpisodeJobData, EpisodeRecord>(
    options.queueName ?? DEFAULT_QUEUE,
    async (job, _token, signal) => {
      const { spec } = job.data;
      if (job.data.commit !== commit) throw new UnrecoverableError(`worker runs commit ${commit}, the episode was queued by commit ${job.data.commit}`);
      if ((job.data.llm ?? null) !== (options.llm?.id ?? null)) throw new UnrecoverableError(`worker plays with ${options.llm ? `LLM ${options.llm.id}` : "the offline roles"}, the episode was queued for ${job.data.llm ? `LLM ${job.data.llm}` : "the offline roles"}`);
      const suite = options.suites.find((s) => s.name === spec.suite);
      if (!suite) throw new UnrecoverableError(`worker does not know suite "${spec.suite}"`);
      options.onStart?.(spec, job.id ?? "");
      return runEpisode(suite, spec, episodeContext(suite, spec, { signal, dataDir: job.data.dataDir, llm: options.llm }));
    },
    {
      connection: connection(options.url),
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? Math.max(250, Math.floor(lockDuration / 2)),
      // A worker that dies mid-episode leaves a stalled job; retry it on a live worker a few times before failing it.
      maxStalledCount: 5,
    },
  );
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
