import { UsageError, parseFlags, parseIntFlag, type Command, type CommandIO } from "../command.js";

/** `foresight serve`: the planning server (HTTP API, OpenAI-compatible proxy, viewer) on 127.0.0.1. */
export const serveCommand: Command = {
  path: ["serve"],
  summary: "run the planning server: /v1/plan, sessions, OpenAI-compatible /v1/chat/completions, /viewer",
  usage: [
    "Usage: foresight serve [--host H] [--port N] [--token T] [--planner NAME] [--max-plans N] [--redis URL] [--data-dir DIR] [--models-dir DIR]",
    "",
    "  --host H         interface to bind (default 127.0.0.1; env FORESIGHT_SERVER_HOST)",
    "  --port N         port (default 8787; 0 = any free port; env FORESIGHT_SERVER_PORT)",
    "  --token T        require `Authorization: Bearer T` on /v1/* (env FORESIGHT_SERVER_TOKEN)",
    "  --planner NAME   planner of the chat proxy when the model field names none (default scope)",
    "  --max-plans N    plans running at once; more get 429 with Retry-After (default 32)",
    "  --redis URL      keep sessions in Redis so several instances share them (env FORESIGHT_REDIS_URL)",
    "  --data-dir DIR   the shared data folder; --models-dir DIR the models folder",
    "",
    "The chat proxy's upstream model is FORESIGHT_LLM_BASE_URL / FORESIGHT_LLM_API_KEY; /v1/plan works without one.",
    "Stops gracefully on SIGINT/SIGTERM: in-flight plans finish, then it exits.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags(argv, {
      host: { type: "string" },
      port: { type: "string" },
      token: { type: "string" },
      planner: { type: "string" },
      "max-plans": { type: "string" },
      redis: { type: "string" },
      "data-dir": { type: "string" },
      "models-dir": { type: "string" },
    });
    const port = values.port === undefined ? undefined : parseIntFlag("port", values.port, 0);
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`--port must be from 0 to 65535, got "${values.port}"`);
    const maxPlans = values["max-plans"] === undefined ? undefined : parseIntFlag("max-plans", values["max-plans"], 0);
    if (maxPlans !== undefined && maxPlans < 1) throw new UsageError(`--max-plans must be at least 1, got "${values["max-plans"]}"`);
    const [{ buildServer, configFromEnv, registrySource }, { plannerNames }] = await Promise.all([import("@foresight/server"), import("@foresight/planners")]);
    const config = {
      ...configFromEnv(),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(port === undefined ? {} : { port }),
      ...(values.token === undefined ? {} : { authToken: values.token }),
      ...(values.planner === undefined ? {} : { defaultPlanner: values.planner }),
      ...(maxPlans === undefined ? {} : { maxConcurrentPlans: maxPlans }),
      ...(values.redis === undefined ? {} : { sessionStore: "redis" as const, redisUrl: values.redis }),
      ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
      ...(values["models-dir"] === undefined ? {} : { modelsDir: values["models-dir"] }),
    };
    let server;
    try {
      server = await buildServer(config, { planners: registrySource(plannerNames) });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const address = await server.app.listen({ host: server.config.host, port: server.config.port });
    io.err(`foresight server listening on ${address} (planners: ${plannerNames().join(", ") || "none"}; viewer ${address}/viewer)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        io.err("foresight server: shutting down (draining in-flight plans)");
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};
