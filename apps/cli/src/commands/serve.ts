import cluster, { type Worker } from "node:cluster";
import { InputError, UsageError, parseFlags, parseIntFlag, type Command, type CommandIO } from "../command.js";

/** What a worker of `--workers N` tells the primary process. */
type WorkerMessage = { type: "listening"; address: string } | { type: "failed"; message: string };

/** One line for a listen failure that is an ordinary mistake (the port is taken or not allowed). */
function listenProblem(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${port} on ${host} is already in use; stop what holds it or pick another with --port (0 = any free port)`;
  if (code === "EACCES") return `not allowed to listen on port ${port} on ${host}; pick a port above 1023 with --port`;
  if (code === "EADDRNOTAVAIL") return `cannot listen on ${host}: no such local address (--host)`;
  return undefined;
}

/**
 * `--workers N`: this (primary) process forks N workers that each run the server on the same port (node's cluster
 * shares the socket), reports once all listen, and on SIGINT/SIGTERM lets each drain and exit.
 */
async function runWorkers(workers: number, io: CommandIO): Promise<number> {
  const forked: Worker[] = [];
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const worker of forked) if (!worker.isDead()) worker.process.kill("SIGTERM");
  };
  // The workers run with the server's V8 flags (a larger young generation), whatever this process was started with.
  const { withServerFlags } = await import("@foresight/server/node-flags");
  cluster.setupPrimary({ execArgv: withServerFlags(process.execArgv) });
  const exited = Promise.all(
    Array.from({ length: workers }, () => {
      const worker = cluster.fork();
      forked.push(worker);
      return new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    }),
  );
  const started = await new Promise<{ address: string } | { failure: string }>((resolve) => {
    let listening = 0;
    for (const worker of forked) {
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "failed") resolve({ failure: message.message });
        else if (++listening === workers) resolve({ address: message.address });
      });
      worker.once("exit", (code, signal) => {
        if (!stopping) resolve({ failure: `a worker exited while starting (${signal ?? `exit code ${code}`})` });
      });
    }
  });
  if ("failure" in started) {
    stopAll();
    await exited;
    throw new InputError(started.failure);
  }
  io.err(`foresight server: ${workers} workers listening on ${started.address} (viewer ${started.address}/viewer)`);
  for (const worker of forked) {
    worker.once("exit", (code, signal) => {
      if (!stopping) io.err(`foresight server: worker ${worker.process.pid} exited (${signal ?? `exit code ${code}`}); ${workers - 1} left`);
    });
  }
  const stop = () => {
    io.err("foresight server: shutting down (each worker drains its in-flight plans)");
    stopAll();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await exited;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  return 0;
}

/** `foresight serve`: the planning server (HTTP API, OpenAI-compatible proxy, viewer) on 127.0.0.1. */
export const serveCommand: Command = {
  path: ["serve"],
  summary: "run the planning server: /v1/plan, sessions, OpenAI-compatible /v1/chat/completions, /viewer",
  usage: [
    "Usage: foresight serve [--host H] [--port N] [--token T] [--planner NAME] [--max-plans N] [--max-queued N] [--workers N] [--redis URL] [--data-dir DIR] [--models-dir DIR]",
    "",
    "  --host H         interface to bind (default 127.0.0.1; env FORESIGHT_SERVER_HOST)",
    "  --port N         port (default 8787; 0 = any free port; env FORESIGHT_SERVER_PORT)",
    "  --token T        require `Authorization: Bearer T` on /v1/* (env FORESIGHT_SERVER_TOKEN)",
    "  --planner NAME   planner of the chat proxy when the model field names none (default scope); warmed up at start",
    "  --max-plans N    plans running at once (default 32; env FORESIGHT_SERVER_MAX_PLANS)",
    "  --max-queued N   plans waiting for a slot; more get 429 with Retry-After (default 64; env FORESIGHT_SERVER_MAX_QUEUED)",
    "  --workers N      run N server processes on the port (node cluster); N > 1 needs --redis for shared sessions",
    "  --redis URL      keep sessions in Redis so several instances share them (env FORESIGHT_REDIS_URL)",
    "  --data-dir DIR   the shared data folder; --models-dir DIR the models folder",
    "",
    "The chat proxy's upstream model is FORESIGHT_LLM_BASE_URL / FORESIGHT_LLM_API_KEY; /v1/plan works without one.",
    "/readyz answers ready once the default planner is loaded and warmed up.",
    "Stops gracefully on SIGINT/SIGTERM: in-flight plans finish, then it exits.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags(argv, {
      host: { type: "string" },
      port: { type: "string" },
      token: { type: "string" },
      planner: { type: "string" },
      "max-plans": { type: "string" },
      "max-queued": { type: "string" },
      workers: { type: "string" },
      redis: { type: "string" },
      "data-dir": { type: "string" },
      "models-dir": { type: "string" },
    });
    const port = values.port === undefined ? undefined : parseIntFlag("port", values.port, 0);
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`--port must be from 0 to 65535, got "${values.port}"`);
    const maxPlans = values["max-plans"] === undefined ? undefined : parseIntFlag("max-plans", values["max-plans"], 0);
    if (maxPlans !== undefined && maxPlans < 1) throw new UsageError(`--max-plans must be at least 1, got "${values["max-plans"]}"`);
    const maxQueued = values["max-queued"] === undefined ? undefined : parseIntFlag("max-queued", values["max-queued"], 0);
    if (maxQueued !== undefined && maxQueued < 0) throw new UsageError(`--max-queued must be at least 0, got "${values["max-queued"]}"`);
    const workers = parseIntFlag("workers", values.workers, 1);
    if (workers < 1 || workers > 64) throw new UsageError(`--workers must be from 1 to 64, got "${values.workers}"`);
    const [{ buildServer, configFromEnv, registrySource }, { plannerNames }] = await Promise.all([import("@foresight/server"), import("@foresight/planners")]);
    const config = {
      ...configFromEnv(),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(port === undefined ? {} : { port }),
      ...(values.token === undefined ? {} : { authToken: values.token }),
      ...(values.planner === undefined ? {} : { defaultPlanner: values.planner }),
      ...(maxPlans === undefined ? {} : { maxRunningPlans: maxPlans }),
      ...(maxQueued === undefined ? {} : { maxQueuedPlans: maxQueued }),
      ...(values.redis === undefined ? {} : { sessionStore: "redis" as const, redisUrl: values.redis }),
      ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
      ...(values["models-dir"] === undefined ? {} : { modelsDir: values["models-dir"] }),
    };
    if (workers > 1 && config.sessionStore !== "redis") throw new UsageError("--workers above 1 needs --redis URL (or FORESIGHT_REDIS_URL): the workers share sessions only through Redis");
    if (workers > 1 && cluster.isPrimary) return runWorkers(workers, io);

    // A worker reports to the primary (which prints one line for all) and then leaves the cluster.
    const tell = (message: WorkerMessage) => {
      if (cluster.isWorker) process.send!(message, undefined, {}, () => message.type === "failed" && cluster.worker?.disconnect());
    };
    let server;
    try {
      server = await buildServer(config, { planners: registrySource(plannerNames) });
    } catch (error) {
      if (cluster.isWorker) return (tell({ type: "failed", message: (error as Error).message }), 1); // the primary reports it
      throw new UsageError((error as Error).message);
    }
    let address: string;
    try {
      address = await server.app.listen({ host: server.config.host, port: server.config.port });
    } catch (error) {
      await server.close();
      const problem = listenProblem(error, server.config.host, server.config.port);
      if (cluster.isWorker) return (tell({ type: "failed", message: problem ?? (error as Error).message }), 1); // the primary reports it
      if (problem) throw new InputError(problem);
      throw error;
    }
    if (cluster.isWorker) tell({ type: "listening", address });
    else {
      io.err(`foresight server listening on ${address} (planners: ${plannerNames().join(", ") || "none"}; viewer ${address}/viewer)`);
      void server.ready.then(() => io.err("foresight server: ready"));
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        if (!cluster.isWorker) io.err("foresight server: shutting down (draining in-flight plans)");
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        // A worker also leaves the cluster: its IPC channel to the primary would keep it alive.
        void server.close().then(() => (cluster.worker?.disconnect(), resolve()));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};
