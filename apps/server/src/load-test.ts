import { fork } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { buildServer, type ServerDependencies } from "./app.js";
import type { ServerConfigInput } from "./config.js";
import type { LoadGeneratorJob, LoadGeneratorMessage, LoadGeneratorResult, LoadMeasurement } from "./load-generator.js";

/** Settings of the loopback load test. */
export interface LoadTestOptions {
  planner: string;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  /** Load before the measured run (after `/readyz`), so the start readings are taken warm; default 3 s. */
  warmUpSeconds?: number;
  seed: number;
  /** A conversation to plan for (the planner's held-out example when absent). */
  conversation?: { turns: { speaker: "agent" | "user"; text: string }[]; context?: Record<string, unknown> };
}

/** What the load test measured. */
export interface LoadTestReport extends LoadMeasurement {
  planner: string;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  /** The server process's resident set and V8 heap after warm-up and at the end (after a GC when exposed). */
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
  /** The machine's 1-minute load average at start and end (other work on the machine shares the cores). */
  loadAverage: { start: number; end: number };
  targets: { zeroErrors: boolean; p99Under150ms: boolean; memoryGrowthUnder10Percent: boolean };
}

/** The generator runs from the built `.js`, or from the `.ts` source through tsx (tests). */
function generatorEntry(): { path: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  return { path: fileURLToPath(new URL(fromSource ? "./load-generator.ts" : "./load-generator.js", import.meta.url)), execArgv: fromSource ? ["--import", "tsx"] : [] };
}

const mb = (bytes: number) => bytes / 2 ** 20;
const growth = (start: number, end: number) => ((end - start) / start) * 100;

/**
 * Starts the server in this process on 127.0.0.1, waits until `/readyz` answers ready (the server's warm-up), then
 * drives `/v1/plan` with autocannon from a child process: a warm-up, then `durationSeconds` from `connections`
 * concurrent clients. Memory and CPU are the server process's own; the generator's CPU is reported apart.
 */
export async function runLoadTest(options: LoadTestOptions, deps: ServerDependencies, config: ServerConfigInput = {}): Promise<LoadTestReport> {
  const server = await buildServer({ logLevel: "error", rateLimitPerMinute: 0, maxRunningPlans: Math.max(options.connections, 1), warmPlanners: [options.planner], ...config }, deps);
  try {
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const readyBy = Date.now() + 300_000;
    while ((await fetch(`${base}/readyz`)).status !== 200) {
      if (Date.now() > readyBy) throw new Error("the server did not become ready within 5 minutes (see /readyz)");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const conversation = options.conversation ?? (await server.context.pool.factory(options.planner).heldOutConversation?.({ seed: options.seed }));
    if (!conversation) throw new Error(`planner ${options.planner} has no example conversation; pass one`);
    const job: LoadGeneratorJob = {
      url: `${base}/v1/plan`,
      body: JSON.stringify({ planner: options.planner, conversation, budget: { timeMs: options.budgetMs }, seed: options.seed }),
      headers: { "content-type": "application/json", ...(config.authToken ? { authorization: `Bearer ${config.authToken}` } : {}) },
      connections: options.connections,
      warmUpSeconds: options.warmUpSeconds ?? 3,
      durationSeconds: options.durationSeconds,
    };
    const entry = generatorEntry();
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    // Plans and simulations as the server counted them (the clients do not see the answers still in flight at the end).
    const count = async (counter: typeof server.context.metrics.plans) => (await counter.get()).values.filter((v) => v.labels.planner === options.planner).reduce((sum, v) => sum + v.value, 0);
    const counts = async () => ({ plans: await count(server.context.metrics.plans), simulations: await count(server.context.metrics.simulations) });
    const samples: LoadTestReport["memorySamples"] = [];
    let sampler: NodeJS.Timeout | undefined;
    let start: { rss: number; heap: number; cpu: NodeJS.CpuUsage; wall: number; load: number; counts: Promise<{ plans: number; simulations: number }> } | undefined;
    const result = await new Promise<LoadGeneratorResult>((resolve, reject) => {
      child.on("message", (message: LoadGeneratorMessage) => {
        if (message.type === "warm") {
          global.gc?.();
          start = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, cpu: process.cpuUsage(), wall: performance.now(), load: loadavg()[0]!, counts: counts() };
          sampler = setInterval(() => {
            const now = process.memoryUsage();
            samples.push({ atSeconds: Math.round((performance.now() - start!.wall) / 1000), rssMb: mb(now.rss), heapMb: mb(now.heapUsed), externalMb: mb(now.external) });
          }, 5000);
          child.send("go");
        } else if (message.type === "result") resolve(message.result);
        else reject(new Error(`load generator failed: ${message.message}`));
      });
      child.once("exit", (code) => reject(new Error(`load generator exited (code ${code}) before reporting`)));
      child.send(job);
    }).finally(() => clearInterval(sampler));
    const { cpuMs: generatorCpuMs, ...measurement } = result;
    const cpu = process.cpuUsage(start!.cpu);
    const wallMs = performance.now() - start!.wall;
    const [before, after] = [await start!.counts, await counts()];
    const plans = after.plans - before.plans;
    const simulated = after.simulations - before.simulations;
    global.gc?.();
    const end = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
    const serverCpuMs = (cpu.user + cpu.system) / 1000;
    const rssGrowth = growth(start!.rss, end.rss);
    return {
      planner: options.planner,
      budgetMs: options.budgetMs,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      ...measurement,
      rssMb: { start: mb(start!.rss), end: mb(end.rss), growthPercent: rssGrowth },
      heapMb: { start: mb(start!.heap), end: mb(end.heap), growthPercent: growth(start!.heap, end.heap) },
      memorySamples: samples,
      cpu: {
        serverMsPerPlan: plans > 0 ? serverCpuMs / plans : 0,
        serverMsPerSimulation: simulated > 0 ? serverCpuMs / simulated : 0,
        simulationsPerPlan: plans > 0 ? simulated / plans : 0,
        serverCores: serverCpuMs / wallMs, generatorCores: generatorCpuMs / wallMs,
        machineCores: availableParallelism(),
      },
      loadAverage: { start: start!.load, end: loadavg()[0]! },
      targets: { zeroErrors: result.errors + result.non2xx === 0, p99Under150ms: result.latencyMs.p99 < 150, memoryGrowthUnder10Percent: rssGrowth < 10 },
    };
  } finally {
    await server.close();
  }
}
