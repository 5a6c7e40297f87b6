// The load test's client side, run in a child process of its own so that generating load does not take the event
// loop (and CPU slices) of the server it measures. The parent sends one `LoadGeneratorJob`; this process runs a
// warm-up, reports "warm", waits for "go" (the parent takes its start readings), runs the measured load and reports
// the result and its own CPU time.
import autocannon from "autocannon";

/** What the parent asks for. */
export interface LoadGeneratorJob {
  url: string;
  /** The request bodies, sent in turn (one shared counter across all connections). */
  bodies: string[];
  headers: Record<string, string>;
  connections: number;
  warmUpSeconds: number;
  durationSeconds: number;
}

/** What the clients saw in the measured run. */
export interface LoadMeasurement {
  requests: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

/** The measured run, as the parent receives it. */
export interface LoadGeneratorResult extends LoadMeasurement {
  /** CPU time of this (the generator's) process during the measured run. */
  cpuMs: number;
}

export type LoadGeneratorMessage = { type: "warm" } | { type: "result"; result: LoadGeneratorResult } | { type: "error"; message: string };

const send = (message: LoadGeneratorMessage) => process.send!(message);

function load(job: LoadGeneratorJob, seconds: number) {
  let sent = 0;
  // Every request takes the next body, so consecutive requests (from any connection) plan different conversations.
  const requests: autocannon.Request[] = [{ method: "POST", setupRequest: (request) => ({ ...request, body: job.bodies[sent++ % job.bodies.length]! }) }];
  return autocannon({ url: job.url, method: "POST", headers: job.headers, requests, connections: job.connections, duration: seconds });
}

async function run(job: LoadGeneratorJob): Promise<void> {
  if (job.warmUpSeconds > 0) await load(job, job.warmUpSeconds);
  const go = new Promise<void>((resolve) => process.once("message", () => resolve()));
  send({ type: "warm" });
  await go;
  const cpu = process.cpuUsage();
  const result = await load(job, job.durationSeconds);
  const used = process.cpuUsage(cpu);
  const statusCodes: Record<string, number> = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (count as { count: number }).count;
  send({
    type: "result",
    result: {
      requests: result.requests.total,
      throughputPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      statusCodes,
      cpuMs: (used.user + used.system) / 1000,
    },
  });
}

if (process.send) {
  process.once("message", (job: LoadGeneratorJob) => {
    run(job).then(
      () => process.disconnect(),
      (error: unknown) => {
        send({ type: "error", message: error instanceof Error ? error.message : String(error) });
        process.disconnect();
      },
    );
  });
}
