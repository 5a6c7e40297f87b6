import type { ServerMetrics } from "./metrics.js";

/** One reading of a server process for the load test: memory, CPU time so far, and its plan counters. */
export interface ServerReading {
  rss: number;
  heap: number;
  external: number;
  cpuMs: number;
  /** Plans and simulations of one planner, as the server counted them. */
  plans: number;
  simulations: number;
}

/** Reads this process (after a GC when `settle` and `--expose-gc`) and the server's counters for `planner`. */
export async function readServer(metrics: ServerMetrics, planner: string, settle: boolean): Promise<ServerReading> {
  if (settle) global.gc?.();
  const count = async (counter: ServerMetrics["plans"]) => (await counter.get()).values.filter((v) => v.labels.planner === planner).reduce((sum, v) => sum + v.value, 0);
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rss: memory.rss, heap: memory.heapUsed, external: memory.external, cpuMs: (cpu.user + cpu.system) / 1000, plans: await count(metrics.plans), simulations: await count(metrics.simulations) };
}

/** The sum of several processes' readings (the workers of one server). */
export function sumReadings(readings: ServerReading[]): ServerReading {
  const total: ServerReading = { rss: 0, heap: 0, external: 0, cpuMs: 0, plans: 0, simulations: 0 };
  for (const reading of readings) for (const key of Object.keys(total) as (keyof ServerReading)[]) total[key] += reading[key];
  return total;
}
