import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChatModel, ChatRequest } from "@foresight/llm-sim";
import type { EpisodeSpec, Suite } from "../suites/types.js";
import { episodeKey, type EpisodeRecord } from "./episodes.js";
import { BenchError } from "./files.js";
import { cacheNamespace, type LiveLlm } from "./live.js";
import type { EpisodeExecutor } from "./run-suite.js";

/** Messages from the pool to a worker process. */
export type ToWorker =
  | { type: "init"; suitesModule: string; exportName: string; dataDir?: string; llm?: string }
  | { type: "run"; spec: EpisodeSpec }
  | { type: "llm-answer"; call: number; response?: Awaited<ReturnType<ChatModel["complete"]>>; error?: SerializedError };

/** Messages from a worker process to the pool. */
export type FromWorker =
  | { type: "ready" }
  | { type: "record"; record: EpisodeRecord }
  | { type: "failed"; key: string; error: SerializedError }
  | { type: "llm"; call: number; key: string; request: Omit<ChatRequest, "signal"> };

/** An error sent between processes: its class name (BenchError, ChatModelError …), message, stack and model-error fields. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  kind?: string;
  status?: number;
  retryAfterMs?: number;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { kind, status, retryAfterMs } = error as Error & { kind?: string; status?: number; retryAfterMs?: number };
  return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), ...(kind ? { kind } : {}), ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Options of {@link processPoolExecutor}. */
export interface ProcessPoolOptions {
  /** Worker processes (≥ 1). */
  jobs: number;
  dataDir?: string | undefined;
  /** Live mode: the workers' LLM calls come back here and go through this run's per-episode cache views. */
  llm?: LiveLlm | undefined;
  /** The module (URL) whose export lists the suites the workers play (default: this package's shipped suites). */
  suitesModule?: string | undefined;
  /** The export of `suitesModule` holding the Suite[] (default "suites"). */
  exportName?: string | undefined;
}

const here = import.meta.url;
/** Run from TypeScript sources (the tests): the worker is a .ts file started through tsx. */
const fromSources = here.endsWith(".ts");
const workerFile = fileURLToPath(new URL(`./pool-worker.${fromSources ? "ts" : "js"}`, here));
const shippedSuites = new URL(`../suites/index.${fromSources ? "ts" : "js"}`, here).href;

/**
 * Runs episodes on `jobs` child processes, each playing one episode at a time with the suite loaded from
 * `suitesModule`, so CPU-bound episodes run in parallel. Records come back in any order (the runner writes them in
 * the suite's order). In live mode the workers' LLM calls are answered here, through the episode's cache view, so
 * one process owns the endpoint's concurrency and the cache. An episode that throws stops the run with its error;
 * an abort stops the workers (episodes in flight are not results).
 */
export function processPoolExecutor(suite: Suite, options: ProcessPoolOptions): EpisodeExecutor {
  if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new BenchError(`jobs must be a whole number ≥ 1, got ${options.jobs}`);
  return {
    async run(pending, onRecord, signal) {
      if (pending.length === 0 || signal?.aborted) return;
      const queue = [...pending];
      const views = new Map<string, ChatModel>();
      const workers: ChildProcess[] = [];
      let failure: Error | undefined;
      await new Promise<void>((resolve) => {
        let running = 0;
        let finished = false;
        const finish = (error?: Error) => {
          if (finished) return;
          if (error) failure = error;
          if (error || signal?.aborted || (queue.length === 0 && running === 0)) {
            finished = true;
            for (const worker of workers) worker.kill("SIGTERM");
            signal?.removeEventListener("abort", onAbort);
            resolve();
          }
        };
        const onAbort = () => finish();
        signal?.addEventListener("abort", onAbort);
        const dispatch = (worker: ChildProcess) => {
          const spec = queue.shift();
          if (!spec) return finish();
          running++;
          if (options.llm) views.set(episodeKey(spec), options.llm.forEpisode(cacheNamespace(suite, spec)));
          worker.send({ type: "run", spec } satisfies ToWorker);
        };
        const count = Math.min(options.jobs, pending.length);
        for (let i = 0; i < count; i++) {
          const worker = fork(workerFile, [], { execArgv: fromSources ? ["--import", "tsx"] : [], stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
          workers.push(worker);
          worker.on("message", (message: FromWorker) => {
            if (finished) return;
            if (message.type === "ready") dispatch(worker);
            else if (message.type === "record") {
              running--;
              views.delete(message.record.key);
              onRecord(message.record);
              dispatch(worker);
            } else if (message.type === "failed") finish(rebuildError(message.error));
            else if (message.type === "llm") {
              const view = views.get(message.key);
              const answer = (reply: Omit<Extract<ToWorker, { type: "llm-answer" }>, "type" | "call">) => {
                if (!finished && worker.connected) worker.send({ type: "llm-answer", call: message.call, ...reply } satisfies ToWorker);
              };
              if (!view) answer({ error: { name: "Error", message: `no live LLM for episode ${message.key}` } });
              else view.complete(message.request).then((response) => answer({ response }), (error: unknown) => answer({ error: serializeError(error) }));
            }
          });
          worker.on("exit", (code, signalName) => {
            if (!finished) finish(new BenchError(`bench worker process ${worker.pid} exited (${signalName ?? `code ${code}`}) before the run finished`));
          });
          worker.send({ type: "init", suitesModule: options.suitesModule ?? shippedSuites, exportName: options.exportName ?? "suites", ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}), ...(options.llm ? { llm: options.llm.id } : {}) } satisfies ToWorker);
        }
      });
      await Promise.all(workers.map((worker) => (worker.exitCode !== null || worker.signalCode !== null ? undefined : new Promise((resolve) => worker.once("exit", resolve)))));
      if (failure) throw failure;
    },
  };
}

/** The error a worker reported, as this process's error: a BenchError stays one (its one-line message). */
export function rebuildError(serialized: SerializedError): Error {
  const error = serialized.name === "BenchError" ? new BenchError(serialized.message) : new Error(serialized.message);
  if (serialized.name !== "BenchError" && serialized.stack) error.stack = serialized.stack;
  return Object.assign(error, serialized.kind ? { kind: serialized.kind } : {}, serialized.status !== undefined ? { status: serialized.status } : {}, serialized.retryAfterMs !== undefined ? { retryAfterMs: serialized.retryAfterMs } : {});
}
