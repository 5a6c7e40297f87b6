import { fork } from "node:child_process";
import cluster, { type Worker } from "node:cluster";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { buildServer, type ServerDependencies } from "./app.js";
import type { ServerConfigInput } from "./config.js";
import type { LoadGeneratorJob, LoadGeneratorMessage, LoadGeneratorResult, LoadMeasurement } from "./load-generator.js";
import type { WorkerReport, WorkerRequest } from "./load-test-worker.js";
import { withServerFlags } from "./node-flags.js";
import { readServer, sumReadings, type ServerReading } from "./server-reading.js";

/** Settings of the loopback load test. */
export interface LoadTestOptions {
  planner: string;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  /** Load before the measured run (once the server is ready), so the start readings are taken warm; default 3 s. */
  warmUpSeconds?: number;
  /**
   * Server processes (node cluster workers sharing the port; default 1, in this process). One process plans on one
   * core: onnxruntime runs each call on the event loop's thread. Workers serve the planner registry.
   */
  workers?: number;
  /** Candidate replies sent with every request (none by default: the planner proposes its own). */
  candidates?: string[];
  seed: number;
  /** A conversation to plan for in every request (else `conversations` held-out examples of the planner). */
  conversation?: { turns: { speaker: "agent" | "user"; text: string }[]; context?: Record<string, unknown> };
  /**
   * How many distinct held-out conversations the clients cycle through (default 256). More than a planner's cache of
   * recent requests (SCOPE keeps 128), so the load test measures fresh plans as real traffic brings them, not
   * cached ones; 1 repeats one request.
   */
  conversations?: number;
}

/** Distinct held-out conversations of the planner: seeds seed, seed + 1, … until `count` differ (or 8 × count tries). */
async function heldOutConversations(deps: ServerDependencies, planner: string, seed: number, count: number): Promise<NonNullable<LoadTestOptions["conversation"]>[]> {
  const factory = deps.planners.factory(planner);
  if (!factory.heldOutConversation) throw new Error(`planner ${planner} has no example conversation; pass one`);
  const found = new Map<string, NonNullable<LoadTestOptions["conversation"]>>();
  for (let i = 0; found.size < count && i < count * 8; i++) {
    const conversation = await factory.heldOutConversation({ seed: seed + i });
    found.set(JSON.stringify(conversation.turns), conversation);
  }
  return [...found.values()];
}

/** What the load test measured. */
export interface LoadTestReport extends LoadMeasurement {
  planner: string;
  workers: number;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  /** Distinct conversations the requests cycled through. */
  conversations: number;
  /** The server's resident set and V8 heap (summed over its workers) after warm-up and at the end, each after a full GC. */
  rssMb: { start: number; end: number; growthPercent: number };
  heapMb: { start: number; end: number; growthPercent: number };
  /** Memory every 5 s of the measured run (no GC forced): whether growth levels off or keeps going, and where. */
  memorySamples: { atSeconds: number; rssMb: number; heapMb: number; externalMb: number }[];
  /**
   * CPU time of the server process (event loop and onnxruntime's threads) per answered plan and per simulation, the
   * simulations a plan ran on average, and the cores the server and the load generator used: a time-budgeted plan
   * simulates for as long as its budget allows, so its CPU grows with the cores it gets; per simulation is the cost.
   */
  cpu: { serverMsPerPlan: number; serverMsPerSimulation: number; simulationsPerPlan: number; serverCores: number; generatorCores: number; machineCores: number };
  /**
   * The server's event loop during the measured run (the worst worker's): delay p99 and longest, and GC pauses (total
   * and longest). A loop held up longer than a plan's margin shows as latency that no scheduling inside it can remove.
   */
  eventLoop: { delayP99Ms: number; delayMaxMs: number; gcMs: number; gcLongestMs: number };
  /** The machine's 1-minute load average at start and end (other work on the machine shares the cores). */
  loadAverage: { start: number; end: number };
  targets: { zeroErrors: boolean; p99Under150ms: boolean; memoryGrowthUnder10Percent: boolean };
}

/** A module of this package run in a child process: the built `.js`, or the `.ts` source through tsx (tests). */
function moduleEntry(name: string): { path: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  return { path: fileURLToPath(new URL(`./${name}${fromSource ? ".ts" : ".js"}`, import.meta.url)), execArgv: fromSource ? ["--import", "tsx"] : [] };
}

const mb = (bytes: number) => bytes / 2 ** 20;
const growth = (start: number, end: number) => ((end - start) / start) * 100;

/** The server under load: where it listens, how to read its process(es), how to stop it. */
interface ServerUnderTest {
  base: string;
  read(settle: boolean): Promise<ServerReading>;
  close(): Promise<void>;
}

async function inProcessServer(config: ServerConfigInput, deps: ServerDependencies, planner: string): Promise<ServerUnderTest> {
  const server = await buildServer(config, deps);
  try {
    await server.app.listen({ port: 0, host: "127.0.0.1" });
  } catch (error) {
    await server.close();
    throw error;
  }
  // Ready once warmed up (what `/readyz` reports).
  await server.ready;
  const { port } = server.app.server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, read: (settle) => readServer(server.context.metrics, planner, settle), close: () => server.close() };
}

async function clusterServer(workers: number, config: ServerConfigInput, planner: string): Promise<ServerUnderTest> {
  const entry = moduleEntry("load-test-worker");
  cluster.setupPrimary({ exec: entry.path, execArgv: withServerFlags(entry.execArgv) });
  const forked: Worker[] = Array.from({ length: workers }, () => cluster.fork({ FORESIGHT_LOAD_TEST_WORKER: JSON.stringify({ config, planner }) }));
  let port = 0;
  const ready = forked.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.on("message", (report: WorkerReport) => {
          if (report.type === "listening") port = report.port;
          else if (report.type === "ready") resolve();
          else if (report.type === "failed") reject(new Error(`server worker failed: ${report.message}`));
        });
        worker.once("exit", (code) => reject(new Error(`server worker exited (code ${code}) before it was ready`)));
      }),
  );
  const request = (worker: Worker, message: WorkerRequest) => worker.send(message);
  const stop = () => Promise.all(forked.map((worker) => (worker.isDead() ? undefined : new Promise<void>((resolve) => (worker.once("exit", () => resolve()), request(worker, { type: "stop" })))))).then(() => undefined);
  try {
    await Promise.all(ready);
  } catch (error) {
    for (const worker of forked) worker.kill();
    throw error;
  }
  let nextId = 0;
  const readOne = (worker: Worker, settle: boolean) =>
    new Promise<ServerReading>((resolve) => {
      const id = ++nextId;
      const onReport = (report: WorkerReport) => {
        if (report.type !== "reading" || report.id !== id) return;
        worker.off("message", onReport);
        resolve(report.reading);
      };
      worker.on("message", onReport);
      request(worker, { type: "read", id, settle });
    });
  return { base: `http://127.0.0.1:${port}`, read: async (settle) => sumReadings(await Promise.all(forked.map((worker) => readOne(worker, settle)))), close: stop };
}

/**
 * Starts the server on 127.0.0.1 (in this process, or in `workers` cluster workers), waits until it is ready (warmed
 * up, as `/readyz` reports), then drives `/v1/plan` with autocannon from a child process: a warm-up, then
 * `durationSeconds` from `connections` concurrent clients. Memory and CPU are the server's own (summed over its
 * workers); the generator's CPU is reported apart.
 */
export async function runLoadTest(options: LoadTestOptions, deps: ServerDependencies, config: ServerConfigInput = {}): Promise<LoadTestReport> {
  const workers = options.workers ?? 1;
  const serverConfig: ServerConfigInput = { logLevel: "error", rateLimitPerMinute: 0, maxRunningPlans: Math.max(options.connections, 1), warmPlanners: [options.planner], ...config };
  const conversations = options.conversation ? [options.conversation] : await heldOutConversations(deps, options.planner, options.seed, options.conversations ?? 256);
  const server = workers > 1 ? await clusterServer(workers, serverConfig, options.planner) : await inProcessServer(serverConfig, deps, options.planner);
  try {
    const job: LoadGeneratorJob = {
      url: `${server.base}/v1/plan`,
      bodies: conversations.map((conversation) => JSON.stringify({ planner: options.planner, conversation, ...(options.candidates ? { candidates: options.candidates } : {}), budget: { timeMs: options.budgetMs }, seed: options.seed })),
      headers: { "content-type": "application/json", ...(config.authToken ? { authorization: `Bearer ${config.authToken}` } : {}) },
      connections: options.connections,
      warmUpSeconds: options.warmUpSeconds ?? 3,
      durationSeconds: options.durationSeconds,
    };
    const entry = moduleEntry("load-generator");
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const samples: LoadTestReport["memorySamples"] = [];
    let sampler: NodeJS.Timeout | undefined;
    let start: { reading: ServerReading; wall: number; load: number } | undefined;
    const result = await new Promise<LoadGeneratorResult>((resolve, reject) => {
      child.on("message", (message: LoadGeneratorMessage) => {
        if (message.type === "warm") {
          void server.read(true).then((reading) => {
            start = { reading, wall: performance.now(), load: loadavg()[0]! };
            sampler = setInterval(() => {
              const atSeconds = Math.round((performance.now() - start!.wall) / 1000);
              void server.read(false).then((now) => samples.push({ atSeconds, rssMb: mb(now.rss), heapMb: mb(now.heap), externalMb: mb(now.external) }));
            }, 5000);
            child.send("go");
          }, reject);
        } else if (message.type === "result") resolve(message.result);
        else reject(new Error(`load generator failed: ${message.message}`));
      });
      child.once("exit", (code) => reject(new Error(`load generator exited (code ${code}) before reporting`)));
      child.send(job);
    }).finally(() => clearInterval(sampler));
    const wallMs = performance.now() - start!.wall;
    const end = await server.read(true);
    const { cpuMs: generatorCpuMs, ...measurement } = result;
    const before = start!.reading;
    const plans = end.plans - before.plans;
    const simulated = end.simulations - before.simulations;
    const serverCpuMs = end.cpuMs - before.cpuMs;
    const rssGrowth = growth(before.rss, end.rss);
    return {
      planner: options.planner,
      workers,
      budgetMs: options.budgetMs,
      conversations: conversations.length,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      ...measurement,
      rssMb: { start: mb(before.rss), end: mb(end.rss), growthPercent: rssGrowth },
      heapMb: { start: mb(before.heap), end: mb(end.heap), growthPercent: growth(before.heap, end.heap) },
      memorySamples: samples.sort((a, b) => a.atSeconds - b.atSeconds),
      cpu: {
        serverMsPerPlan: plans > 0 ? serverCpuMs / plans : 0,
        serverMsPerSimulation: simulated > 0 ? serverCpuMs / simulated : 0,
        simulationsPerPlan: plans > 0 ? simulated / plans : 0,
        serverCores: serverCpuMs / wallMs,
        generatorCores: generatorCpuMs / wallMs,
        machineCores: availableParallelism(),
      },
      eventLoop: { delayP99Ms: end.loopDelayP99Ms, delayMaxMs: end.loopDelayMaxMs, gcMs: end.gcMs, gcLongestMs: end.gcLongestMs },
      loadAverage: { start: start!.load, end: loadavg()[0]! },
      targets: { zeroErrors: result.errors + result.non2xx === 0, p99Under150ms: result.latencyMs.p99 < 150, memoryGrowthUnder10Percent: rssGrowth < 10 },
    };
  } finally {
    await server.close();
  }
}
