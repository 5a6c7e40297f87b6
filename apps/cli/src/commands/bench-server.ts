import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command, type CommandIO } from "../command.js";

/** `foresight bench server`: loopback load test of `/v1/plan`. */
export const benchServerCommand: Command = {
  path: ["bench", "server"],
  summary: "load-test the planning server on loopback (autocannon): throughput, p50/p99 latency, errors, memory",
  usage: [
    "Usage: foresight bench server [--quick] [--planner NAME] [--budget-ms MS] [--connections N] [--seconds S] [--workers N] [--conversations N] [--seed N] [--json]",
    "",
    "Starts the server in this process on 127.0.0.1, waits for its warm-up, and drives POST /v1/plan from N concurrent",
    "clients in a child process (3 s of warm-up load, then the measured run). Defaults: scope at a 100 ms budget,",
    "32 connections, 60 s (--quick: 10 s). Targets: zero errors, p99 < 150 ms, memory growth < 10 %. Reports the",
    "server's CPU time per plan and the cores it got. --workers N runs the server as N cluster workers (one process",
    "plans on one core). Memory is read after a full GC at the start and the end of the measured run. Requests cycle",
    "through --conversations distinct held-out conversations (default 256, more than SCOPE's cache of recent",
    "requests; 1 repeats one request).",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags(argv, {
      quick: { type: "boolean" },
      planner: { type: "string" },
      "budget-ms": { type: "string" },
      connections: { type: "string" },
      seconds: { type: "string" },
      workers: { type: "string" },
      conversations: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean" },
    });
    const budgetMs = parseIntFlag("budget-ms", values["budget-ms"], 100);
    const connections = parseIntFlag("connections", values.connections, 32);
    const seconds = parseIntFlag("seconds", values.seconds, values.quick ? 10 : 60);
    if (budgetMs < 1 || budgetMs > 30_000) throw new UsageError(`--budget-ms must be from 1 to 30000, got "${values["budget-ms"]}"`);
    if (connections < 1 || connections > 1024) throw new UsageError(`--connections must be from 1 to 1024, got "${values.connections}"`);
    const workers = parseIntFlag("workers", values.workers, 1);
    if (workers < 1 || workers > 64) throw new UsageError(`--workers must be from 1 to 64, got "${values.workers}"`);
    if (seconds < 1 || seconds > 3600) throw new UsageError(`--seconds must be from 1 to 3600, got "${values.seconds}"`);
    const conversations = parseIntFlag("conversations", values.conversations, 256);
    if (conversations < 1 || conversations > 10_000) throw new UsageError(`--conversations must be from 1 to 10000, got "${values.conversations}"`);
    const seed = parseSeedFlag(values.seed, 1);
    const [{ runLoadTest, registrySource }, { plannerNames }] = await Promise.all([import("@foresight/server"), import("@foresight/planners")]);
    const planner = values.planner ?? "scope";
    if (!plannerNames().includes(planner)) throw new UsageError(`unknown planner "${planner}" (known: ${plannerNames().join(", ") || "none"})`);
    io.err(`bench server: ${planner} at ${budgetMs} ms, ${connections} connections, ${seconds} s${workers > 1 ? `, ${workers} server workers` : ""} …`);
    const report = await runLoadTest({ planner, budgetMs, connections, durationSeconds: seconds, seed, workers, conversations }, { planners: registrySource(plannerNames) });
    if (values.json) {
      io.out(JSON.stringify({ suite: "server", seed, scale: values.quick ? "quick" : "full", report }));
      return 0;
    }
    const failed = Object.entries(report.statusCodes).filter(([code]) => !code.startsWith("2"));
    const failures = failed.length > 0 ? ` (${failed.map(([code, count]) => `${code}: ${count}`).join(", ")})` : "";
    io.out(`requests ${report.requests} over ${report.conversations} conversations · ${report.throughputPerSecond.toFixed(1)}/s · p50 ${report.latencyMs.p50} ms · p90 ${report.latencyMs.p90} ms · p99 ${report.latencyMs.p99} ms · max ${report.latencyMs.max} ms · errors ${report.errors} · non-2xx ${report.non2xx}${failures}`);
    io.out(`RSS ${report.rssMb.start.toFixed(1)} → ${report.rssMb.end.toFixed(1)} MB (${report.rssMb.growthPercent.toFixed(1)} %) · heap ${report.heapMb.start.toFixed(1)} → ${report.heapMb.end.toFixed(1)} MB (${report.heapMb.growthPercent.toFixed(1)} %)`);
    io.out(`server CPU ${report.cpu.serverMsPerPlan.toFixed(2)} ms per plan (${report.cpu.simulationsPerPlan.toFixed(0)} simulations, ${report.cpu.serverMsPerSimulation.toFixed(3)} ms each) · server used ${report.cpu.serverCores.toFixed(2)} of ${report.cpu.machineCores} cores, load generator ${report.cpu.generatorCores.toFixed(2)} · load average ${report.loadAverage.start.toFixed(2)} → ${report.loadAverage.end.toFixed(2)}`);
    io.out(`event loop delay p99 ${report.eventLoop.delayP99Ms.toFixed(1)} ms, longest ${report.eventLoop.delayMaxMs.toFixed(1)} ms · GC pauses ${report.eventLoop.gcMs.toFixed(0)} ms in all, longest ${report.eventLoop.gcLongestMs.toFixed(1)} ms`);
    io.out(`targets: zero errors ${report.targets.zeroErrors ? "met" : "MISSED"} · p99 < 150 ms ${report.targets.p99Under150ms ? "met" : "MISSED"} · memory growth < 10 % ${report.targets.memoryGrowthUnder10Percent ? "met" : "MISSED"}`);
    return 0;
  },
};
