import { describe, expect, it } from "vitest";
import { sumReadings, type ServerReading } from "./server-reading.js";

const reading = (n: number): ServerReading => ({ rss: n, heap: n, external: n, cpuMs: n, plans: n, simulations: n, loopDelayP99Ms: n, loopDelayMaxMs: 10 * n, gcMs: n, gcLongestMs: n });

describe("sumReadings", () => {
  it("adds the workers' memory, CPU, counters and GC time, and keeps the worst loop delay and GC pause", () => {
    expect(sumReadings([reading(1), reading(3), reading(2)])).toEqual({ rss: 6, heap: 6, external: 6, cpuMs: 6, plans: 6, simulations: 6, loopDelayP99Ms: 3, loopDelayMaxMs: 30, gcMs: 6, gcLongestMs: 3 });
  });
});
