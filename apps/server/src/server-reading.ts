import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
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
  /**
   * Since the previous settled reading: the event loop's delay (p99 and longest; a plan cannot answer while its
   * process's loop is held up, by GC or by the machine not running it) and the time spent in GC pauses.
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcMs: number;
  gcLongestMs: number;
}

/** Event-loop delay and GC pauses of this process, watched from the first reading on. */
let watch: { delay: IntervalHistogram; gcMs: number; gcLongestMs: number; since: number } | undefined;

function processWatch(): NonNullable<typeof watch> {
  if (!watch) {
    const started = { delay: monitorEventLoopDelay({ resolution: 10 }), gcMs: 0, gcLongestMs: 0, since: 0 };
    started.delay.enable();
    new PerformanceObserver((list) => {
      // Entries arrive after the pause: one that began before the period (the settling GC itself) is not counted.
      for (const entry of list.getEntries()) {
        if (entry.startTime < started.since) continue;
        started.gcMs += entry.duration;
        started.gcLongestMs = Math.max(started.gcLongestMs, entry.duration);
      }
    }).observe({ entryTypes: ["gc"] });
    watch = started;
  }
  return watch;
}

let collect: (() => void) | undefined;

/**
 * A full GC: node's own under `--expose-gc`, else the same function after turning the flag on now. Settled readings
 * need it: the start reading would otherwise count the start-up's garbage (models, corpus index) as memory, and its
 * collection, a long pause, would fall in the measured run.
 */
function fullGc(): void {
  if (!collect) {
    if (!global.gc) setFlagsFromString("--expose-gc");
    collect = global.gc ?? (runInNewContext("gc") as () => void);
  }
  collect();
}

/**
 * Reads this process and the server's counters for `planner`. A settled reading (start and end of a run) forces a
 * full GC first and starts the next period of the loop-delay and GC figures.
 */
export async function readServer(metrics: ServerMetrics, planner: string, settle: boolean): Promise<ServerReading> {
  const watched = processWatch();
  const hasDelays = watched.delay.count > 0;
  const loop = {
    loopDelayP99Ms: hasDelays ? watched.delay.percentile(99) / 1e6 : 0,
    loopDelayMaxMs: hasDelays ? watched.delay.max / 1e6 : 0,
    gcMs: watched.gcMs,
    gcLongestMs: watched.gcLongestMs,
  };
  if (settle) {
    fullGc();
    watched.delay.reset();
    watched.gcMs = 0;
    watched.gcLongestMs = 0;
    watched.since = performance.now();
  }
  const count = async (counter: ServerMetrics["plans"]) => (await counter.get()).values.filter((v) => v.labels.planner === planner).reduce((sum, v) => sum + v.value, 0);
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rss: memory.rss, heap: memory.heapUsed, external: memory.external, cpuMs: (cpu.user + cpu.system) / 1000, plans: await count(metrics.plans), simulations: await count(metrics.simulations), ...loop };
}

/** Readings' figures that are the worst process's, not a sum. */
const WORST_OF: ReadonlySet<keyof ServerReading> = new Set(["loopDelayP99Ms", "loopDelayMaxMs", "gcLongestMs"]);

/** Several processes' readings (the workers of one server) as one: totals, and the worst loop delay and GC pause. */
export function sumReadings(readings: ServerReading[]): ServerReading {
  const total: ServerReading = { rss: 0, heap: 0, external: 0, cpuMs: 0, plans: 0, simulations: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcMs: 0, gcLongestMs: 0 };
  for (const reading of readings) for (const key of Object.keys(total) as (keyof ServerReading)[]) total[key] = WORST_OF.has(key) ? Math.max(total[key], reading[key]) : total[key] + reading[key];
  return total;
}
