import autocannon from "autocannon";
import { buildServer, type ServerDependencies } from "./app.js";
import type { ServerConfigInput } from "./config.js";

/** Settings of the loopback load test. */
export interface LoadTestOptions {
  planner: string;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  seed: number;
  /** A conversation to plan for (the planner's held-out example when absent). */
  conversation?: { turns: { speaker: "agent" | "user"; text: string }[]; context?: Record<string, unknown> };
}

/** What the load test measured. */
export interface LoadTestReport {
  planner: string;
  budgetMs: number;
  connections: number;
  durationSeconds: number;
  requests: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  rssMb: { start: number; end: number; growthPercent: number };
  targets: { zeroErrors: boolean; p99Under150ms: boolean; memoryGrowthUnder10Percent: boolean };
}

/**
 * Starts the server in this process on 127.0.0.1, warms the planner, then drives `/v1/plan` with autocannon for
 * `durationSeconds` from `connections` concurrent clients. Memory is the server process's RSS after warm-up and at
 * the end (same process: the load generator's own footprint is in both readings).
 */
export async function runLoadTest(options: LoadTestOptions, deps: ServerDependencies, config: ServerConfigInput = {}): Promise<LoadTestReport> {
  const server = await buildServer({ logLevel: "error", rateLimitPerMinute: 0, maxConcurrentPlans: Math.max(options.connections, 1), ...config }, deps);
  try {
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.app.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/v1/plan`;
    const conversation = options.conversation ?? (await server.context.pool.factory(options.planner).heldOutConversation?.({ seed: options.seed }));
    if (!conversation) throw new Error(`planner ${options.planner} has no example conversation; pass one`);
    const body = JSON.stringify({ planner: options.planner, conversation, budget: { timeMs: options.budgetMs }, seed: options.seed });
    const headers = { "content-type": "application/json", ...(config.authToken ? { authorization: `Bearer ${config.authToken}` } : {}) };
    // Warm-up: load the models and JIT the hot paths before the first memory reading.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(url, { method: "POST", headers, body });
      if (!res.ok) throw new Error(`warm-up request failed with HTTP ${res.status}: ${await res.text()}`);
    }
    global.gc?.();
    const rssStart = process.memoryUsage().rss;
    const result = await autocannon({ url, method: "POST", headers, body, connections: options.connections, duration: options.durationSeconds });
    global.gc?.();
    const rssEnd = process.memoryUsage().rss;
    const statusCodes: Record<string, number> = {};
    for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (count as { count: number }).count;
    const growth = ((rssEnd - rssStart) / rssStart) * 100;
    const latency = { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max };
    return {
      planner: options.planner,
      budgetMs: options.budgetMs,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      requests: result.requests.total,
      throughputPerSecond: result.requests.average,
      latencyMs: latency,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      statusCodes,
      rssMb: { start: rssStart / 2 ** 20, end: rssEnd / 2 ** 20, growthPercent: growth },
      targets: { zeroErrors: result.errors + result.timeouts + result.non2xx === 0, p99Under150ms: latency.p99 < 150, memoryGrowthUnder10Percent: growth < 10 },
    };
  } finally {
    await server.close();
  }
}
