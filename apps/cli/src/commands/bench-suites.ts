import { BenchError, DEFAULT_QUEUE, selectSuites, closeBench, defaultOutDir, gitCommit, liveLlm, mergeBench, parseShard, queueExecutor, runBench, startWorker, suites, type LiveLlm, type Suite, type SuiteRun } from "@foresight/bench";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command, type CommandIO } from "../command.js";
import { createProgress } from "../progress.js";
import { DEFAULT_CACHE_DIR, LLM_ENV, LlmConfigError, requireChatModelFromEnv } from "@foresight/llm-sim";

/** The flags of live mode, shared by `foresight bench` and `foresight bench worker`. */
const LIVE_FLAGS = {
  live: { type: "boolean" },
  replay: { type: "boolean" },
  "llm-base-url": { type: "string" },
  "llm-model": { type: "string" },
  "llm-cache": { type: "string" },
} as const;

const LIVE_USAGE = [
  "  --live              play the suites' LLM roles with an OpenAI-compatible endpoint, through the response cache",
  "                      (every answer stored; one cache view per episode, so any run of it replays the same)",
  `  --llm-base-url URL  the endpoint (default ${LLM_ENV.baseURL}); the key comes from ${LLM_ENV.apiKey}`,
  `  --llm-model NAME    the model (default ${LLM_ENV.model})`,
  `  --llm-cache DIR     the response cache (default ${DEFAULT_CACHE_DIR})`,
  "  --replay            the same run from the cache alone: offline, byte for byte; a missing answer is an error",
];

/**
 * The LLM of a live run: `--live` — the endpoint (flags, else FORESIGHT_LLM_*) behind the response cache; `--replay`
 * — the cache alone, for the model the live run used. Neither: undefined (the suites' offline roles).
 */
function liveModel(values: { live?: boolean; replay?: boolean; "llm-base-url"?: string; "llm-model"?: string; "llm-cache"?: string }): LiveLlm | undefined {
  if (values.live && values.replay) throw new UsageError("choose one of --live and --replay");
  if (!values.live && !values.replay) {
    const stray = (["llm-base-url", "llm-model", "llm-cache"] as const).find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --live or --replay`);
    return undefined;
  }
  const cacheDir = values["llm-cache"] ?? DEFAULT_CACHE_DIR;
  const env = { ...process.env };
  if (values["llm-base-url"] !== undefined) env[LLM_ENV.baseURL] = values["llm-base-url"];
  if (values["llm-model"] !== undefined) env[LLM_ENV.model] = values["llm-model"];
  if (values.replay) {
    const id = env[LLM_ENV.model]?.trim();
    if (!id) throw new UsageError(`--replay needs --llm-model or ${LLM_ENV.model} naming the model the live run used`);
    return liveLlm({ id, replay: true, cacheDir });
  }
  try {
    return liveLlm({ model: requireChatModelFromEnv(env), cacheDir });
  } catch (error) {
    if (error instanceof LlmConfigError) throw new UsageError(`--live: ${error.message}`);
    throw error;
  }
}

function scaleOf(values: { quick?: boolean; full?: boolean; scale?: string }): string {
  const chosen = [values.quick && "quick", values.full && "full", values.scale].filter(Boolean) as string[];
  if (chosen.length > 1) throw new UsageError(`choose one of --quick, --full and --scale, got ${chosen.join(" and ")}`);
  const scale = chosen[0] ?? "quick";
  if (!/^[\w.-]+$/.test(scale)) throw new UsageError(`--scale must be a plain label (letters, digits, . _ -), got "${scale}"`);
  return scale;
}

function describeRuns(runs: readonly SuiteRun[], io: CommandIO): void {
  for (const run of runs) {
    const resumed = run.resumed > 0 ? `, ${run.resumed} resumed` : "";
    const where = run.written ? `${run.dir}/report.md` : run.complete ? `${run.dir} (shard: join with \`foresight bench merge\`)` : run.dir;
    io.out(`${run.suite}: ${run.finished}/${run.total} episodes${resumed} → ${where}`);
  }
}

/** Exit codes of a run stopped by a signal (128 + the signal's number, as a shell reports it). */
const STOP_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof STOP_CODES;

/** Prints the runs' reports (JSON) or their folders and the headline table; returns the exit code. */
function finish(runs: readonly SuiteRun[], outDir: string, json: boolean, single: boolean, io: CommandIO, stoppedBy?: StopSignal, selected = runs.length): number {
  const incomplete = runs.filter((run) => !run.complete);
  const { lines, table } = closeBench(outDir, runs);
  if (json) {
    const reports = runs.flatMap((run) => (run.written ? [run.written.report] : []));
    io.out(JSON.stringify(single && reports.length === 1 ? reports[0] : { outDir, reports, headline: lines }));
  } else {
    describeRuns(runs, io);
    if (runs.some((run) => run.written)) io.out(`\n${table}`);
  }
  // A signal that came after every suite finished stopped nothing; one before a suite started left that suite unplayed.
  const notStarted = stoppedBy ? Math.max(0, selected - runs.length) : 0;
  if (incomplete.length > 0 || notStarted > 0) {
    const parts = incomplete.map((run) => `${run.suite} ${run.finished}/${run.total}`);
    if (notStarted > 0) parts.push(`${notStarted} suite${notStarted > 1 ? "s" : ""} not started`);
    const kept = parts.join(", ") || "no";
    io.err(`foresight bench: ${stoppedBy ? `stopped by ${stoppedBy}` : "interrupted"}: ${kept} episodes kept in ${outDir}; run the same command again to resume`);
    return STOP_CODES[stoppedBy ?? "SIGINT"];
  }
  return 0;
}

/**
 * Runs `work` with a signal that the first SIGINT or SIGTERM aborts (the run stops at once, keeping every finished
 * episode); a second one ends the process as usual. Returns what `work` returned and the signal that stopped it.
 */
async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ result: T; stoppedBy?: StopSignal }> {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const handlers = (Object.keys(STOP_CODES) as StopSignal[]).map((name) => {
    const handler = () => {
      stoppedBy ??= name;
      controller.abort(new Error(`stopped by ${name}`));
      for (const [other, h] of handlers) process.removeListener(other, h);
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  try {
    const result = await work(controller.signal);
    return stoppedBy ? { result, stoppedBy } : { result };
  } finally {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  }
}

function benchErrors(io: CommandIO, path: string, error: unknown): number {
  if (error instanceof BenchError) {
    io.err(`foresight ${path}: ${error.message}`);
    return 1;
  }
  throw error;
}

/**
 * `foresight bench [suite…] [--quick|--full|--scale L] [--json] [--seed N] [--out DIR] [--jobs N] [--shard i/n] …` over
 * these suites; `--jobs` workers load them from `suitesModule` (default: the shipped suites).
 */
export function createBenchSuitesCommand(suiteList: readonly Suite[], suitesModule?: { url: string; exportName: string }): Command {
  return {
    path: ["bench"],
    summary: "Planner suites against their baselines: episodes JSONL, summary.json, report.md, plots, headline table",
    usage: [
      "Usage: foresight bench [suite…] [--quick|--full|--scale LABEL] [--json] [--seed N] [--out DIR] [--jobs N] [--shard i/n] [--extend] [--redis URL] [--live|--replay] [--data-dir DIR]",
      "",
      `  Suites: ${suiteList.map((suite) => suite.name).join(", ") || "(none registered yet)"}; with none named, every suite runs.`,
      "  Speed suites have their own commands: foresight bench mcts, foresight bench semantic.",
      "  Each suite writes <out>/<suite>/: run.json, episodes.jsonl (appended as episodes finish), summary.json (the",
      "  deterministic report: rows with mean ± stderr and bootstrap 95 % CIs, paired comparisons), timings.json,",
      "  report.md and plots/*.svg. Re-running the same command resumes: finished episodes are skipped, never repeated.",
      "  The run ends with one table: each system against its best baseline, the paired difference and its CI, and costs.",
      "",
      "  --quick        small scale, minutes on 2 cores (default)",
      "  --full         the committed scale",
      "  --scale LABEL  another scale a suite defines",
      "  --json         print the report (one suite) or {outDir, reports, headline} as JSON",
      "  --seed N       seed of the run (default 1)",
      "  --out DIR      root output folder (default bench-results/<scale>-seed-<seed>)",
      "  --jobs N       play episodes in N worker processes (default 1); the output is the same as a sequential run's",
      "  --shard i/n    run only the i-th of n deterministic parts; join the parts with `foresight bench merge`",
      "  --extend       resume a run folder started at another commit: the first played episode of each planner row",
      "                 is replayed first and must come out the same; this commit is then listed in run.json (extendedAt)",
      "  --redis URL    enqueue the episodes on BullMQ at this Redis and collect what `foresight bench worker` processes",
      "                 on any machine return (same report as a local run; a worker that dies has its episode retried)",
      "  --queue NAME   the BullMQ queue (default foresight-bench)",
      "  --data-dir DIR the shared data folder (default FORESIGHT_DATA_DIR or ../shared/data)",
      ...LIVE_USAGE,
      "                      (suites without LLM roles, e.g. smcts-tod, play the same offline)",
    ].join("\n"),
    async run(argv, io) {
      const { values, positionals } = parseFlags(
        argv,
        {
          quick: { type: "boolean" },
          full: { type: "boolean" },
          scale: { type: "string" },
          json: { type: "boolean" },
          seed: { type: "string" },
          out: { type: "string" },
          shard: { type: "string" },
          redis: { type: "string" },
          queue: { type: "string" },
          jobs: { type: "string" },
          extend: { type: "boolean" },
          ...LIVE_FLAGS,
          "data-dir": { type: "string" },
        },
        true,
      );
      const llm = liveModel(values);
      const scale = scaleOf(values);
      const seed = parseSeedFlag(values.seed, 1);
      const jobs = parseIntFlag("jobs", values.jobs, 1, { min: 1, max: 256 });
      if (jobs > 1 && values.redis !== undefined) throw new UsageError("choose one of --jobs and --redis (queue workers take --concurrency)");
      const outDir = values.out ?? defaultOutDir(scale, seed);
      try {
        const shard = values.shard === undefined ? undefined : parseShard(values.shard);
        const progress = createProgress({ plain: values.json });
        const commit = gitCommit();
        const redis = values.redis;
        const executor = redis === undefined ? undefined : () => queueExecutor({ url: redis, queueName: values.queue, scale, commit, dataDir: values["data-dir"], llm: llm?.id });
        const { result: runs, stoppedBy } = await withInterrupt((signal) =>
          runBench({ suites: suiteList, names: positionals, scale, seed, outDir, shard, dataDir: values["data-dir"], signal, onProgress: progress.update, commit, executor, llm, jobs, suitesModule, extend: values.extend ?? false }).finally(() => progress.stop()),
        );
        if (runs.length === 0 && !stoppedBy) {
          io.err("foresight bench: no planner suite is registered yet (apps/bench/src/suites/index.ts)");
          return 0;
        }
        // Stopped: the episode in flight was dropped, and its leftover timers or sockets must not hold the process.
        if (stoppedBy) setTimeout(() => process.exit(), 0).unref();
        return finish(runs, outDir, values.json ?? false, positionals.length === 1, io, stoppedBy, selectSuites(suiteList, positionals).length);
      } catch (error) {
        return benchErrors(io, "bench", error);
      }
    },
  };
}

/** `foresight bench …` over the shipped planner suites. */
export const benchSuitesCommand = createBenchSuitesCommand(suites);

/** `foresight bench merge DIR… [--out DIR] [--json]` over these suites. */
export function createBenchMergeCommand(suiteList: readonly Suite[]): Command {
  return {
    path: ["bench", "merge"],
    summary: "Join the outputs of `foresight bench --shard i/n` runs into one report, identical to an unsharded run's",
    usage: [
      "Usage: foresight bench merge DIR… [--out DIR] [--json] [--data-dir DIR]",
      "",
      "  Each DIR is a suite's run folder (holding run.json) or a root folder of several; all n shards of a suite, its",
      "  scale, seed and commit must agree. Writes <out>/<suite>/ as an unsharded run would and prints the headline table.",
      "",
      "  --out DIR  where to write (default bench-results/merged)",
      "  --json     print the report (one suite) or {outDir, reports, headline} as JSON",
      "  --data-dir DIR the shared data folder the runs used (default FORESIGHT_DATA_DIR or ../shared/data)",
    ].join("\n"),
    async run(argv, io) {
      const { values, positionals } = parseFlags(argv, { out: { type: "string" }, json: { type: "boolean" }, "data-dir": { type: "string" } }, true);
      if (positionals.length === 0) throw new UsageError("name the shard folders to merge");
      const outDir = values.out ?? "bench-results/merged";
      try {
        const runs = await mergeBench(suiteList, positionals, outDir, values["data-dir"]);
        return finish(runs, outDir, values.json ?? false, runs.length === 1, io);
      } catch (error) {
        return benchErrors(io, "bench merge", error);
      }
    },
  };
}

/** `foresight bench merge …` over the shipped planner suites. */
export const benchMergeCommand = createBenchMergeCommand(suites);

/** `foresight bench worker --redis URL [--queue NAME] [--concurrency N]` over these suites. */
export function createBenchWorkerCommand(suiteList: readonly Suite[]): Command {
  return {
    path: ["bench", "worker"],
    summary: "Run queued bench episodes (BullMQ on Redis) until stopped with Ctrl-C or SIGTERM",
    usage: [
      "Usage: foresight bench worker --redis URL [--queue NAME] [--concurrency N] [--live|--replay] [--llm-… ]",
      "",
      "  Takes episodes that `foresight bench --redis URL` enqueued, plays them with this checkout's suites and",
      "  returns the records. Run it on any number of machines at the same commit as the producer (a job from another",
      "  commit fails rather than mixing code). A worker that dies mid-episode loses its lock after 30 s and the",
      "  episode is retried on another worker.",
      "",
      `  --queue NAME       the BullMQ queue (default ${DEFAULT_QUEUE})`,
      "  --concurrency N    episodes at once (default 1)",
      ...LIVE_USAGE,
      "                      (the model must be the producer's)",
    ].join("\n"),
    async run(argv, io) {
      const { values } = parseFlags(argv, { redis: { type: "string" }, queue: { type: "string" }, concurrency: { type: "string" }, ...LIVE_FLAGS });
      const llm = liveModel(values);
      if (values.redis === undefined) throw new UsageError("--redis URL is required");
      const concurrency = parseIntFlag("concurrency", values.concurrency, 1, { min: 1 });
      try {
        const worker = await startWorker({ url: values.redis, suites: suiteList, queueName: values.queue, concurrency, ...(llm ? { llm } : {}), onStart: (spec) => io.err(`episode ${spec.suite} ${spec.planner} ${spec.world} ${spec.unit} seed ${spec.seed}`) });
        io.err(`foresight bench worker: waiting for episodes on ${values.queue ?? DEFAULT_QUEUE} at ${values.redis}`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await worker.close();
        return 0;
      } catch (error) {
        return benchErrors(io, "bench worker", error);
      }
    },
  };
}

/** `foresight bench worker …` over the shipped planner suites. */
export const benchWorkerCommand = createBenchWorkerCommand(suites);
