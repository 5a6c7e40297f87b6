// One worker of a load test's server when it runs on several processes (`runLoadTest` with `workers` > 1): node's
// cluster shares the port among the workers. It serves the planner registry with the config in
// FORESIGHT_LOAD_TEST_WORKER, reports "listening" and then "ready" (warmed up), answers "read" requests with a
// reading of its process, and on "stop" drains, closes and leaves the cluster.
import cluster from "node:cluster";
import { plannerNames } from "@foresight/planners";
import { buildServer } from "./app.js";
import { registrySource } from "./planner-pool.js";
import { readServer, type ServerReading } from "./server-reading.js";

/** What the primary sends a worker. */
export type WorkerRequest = { type: "read"; id: number; settle: boolean } | { type: "stop" };
/** What a worker sends the primary. */
export type WorkerReport = { type: "listening"; port: number } | { type: "ready" } | { type: "reading"; id: number; reading: ServerReading } | { type: "failed"; message: string };

const send = (report: WorkerReport) => process.send!(report);

if (cluster.isWorker) {
  const { config, planner } = JSON.parse(process.env.FORESIGHT_LOAD_TEST_WORKER ?? "{}") as { config: Record<string, unknown>; planner: string };
  try {
    const server = await buildServer(config, { planners: registrySource(plannerNames) });
    process.on("message", (request: WorkerRequest) => {
      if (request.type === "read") void readServer(server.context.metrics, planner, request.settle).then((reading) => send({ type: "reading", id: request.id, reading }));
      else void server.close().then(() => cluster.worker!.disconnect());
    });
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    send({ type: "listening", port: (server.app.server.address() as { port: number }).port });
    await server.ready;
    send({ type: "ready" });
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    cluster.worker!.disconnect();
  }
}
