import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { setMaxListeners } from "node:events";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { PlannerInputError } from "@foresight/planners";
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from "./config.js";
import type { ServerContext } from "./context.js";
import { PlanDeadlineError } from "./deadline.js";
import { PlanSlots, PlanSlotsFullError } from "./limits.js";
import { ServerMetrics } from "./metrics.js";
import { PlannerPool, UnknownPlannerError, type PlannerSource } from "./planner-pool.js";
import { DeadlineScheduler } from "./scheduler.js";
import { registerChatRoutes } from "./routes/chat.js";
import { registerHealthRoutes } from "./routes/health.js";
import { HttpError } from "./routes/http.js";
import { registerPlanRoutes } from "./routes/plan.js";
import { registerSessionRoutes } from "./routes/sessions.js";
import { registerTraceRoutes } from "./routes/traces.js";
import { LiveSessions } from "./sessions/live.js";
import { MemorySessionStore } from "./sessions/memory.js";
import { RedisSessionStore } from "./sessions/redis.js";
import { SessionLimitError, type SessionStore } from "./sessions/store.js";
import { TraceStore } from "./traces.js";
import { warmUp } from "./warm-up.js";
import { upstreamFromEnv, type UpstreamFactory } from "./upstream.js";

/** What can be swapped in (tests, embedding): the planners, the upstream model, the session store. */
export interface ServerDependencies {
  planners: PlannerSource;
  upstream?: UpstreamFactory;
  sessions?: SessionStore;
  version?: string;
  /** Where log lines go (default stdout). */
  logStream?: NodeJS.WritableStream;
}

/** A built server: the Fastify app, its context, and a graceful `close`. */
export interface ForesightServer {
  app: FastifyInstance;
  context: ServerContext;
  config: ServerConfig;
  /** Settles when the warm-up (see `warmPlanners`; it starts once the server listens) has run and `/readyz` answers ready. */
  ready: Promise<void>;
  /** Stops accepting requests, lets in-flight plans finish (at most their deadline), then releases everything. */
  close(): Promise<void>;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Constant-time check of an `Authorization: Bearer …` header against the configured token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith("Bearer ") ? header.slice(7) : "";
  // Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

const PUBLIC_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/openapi.json", "/viewer"]);

/** Builds the planning server (not yet listening). */
export async function buildServer(input: ServerConfigInput, deps: ServerDependencies): Promise<ForesightServer> {
  const config = parseServerConfig(input);
  const served = deps.planners.names();
  const unknownWarm = config.warmPlanners?.find((name) => !served.includes(name));
  if (unknownWarm !== undefined) throw new Error(`server setting warmPlanners: unknown planner "${unknownWarm}" (known: ${served.join(", ") || "none"})`);
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    logger: {
      level: config.logLevel,
      redact: { paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization"], censor: "[redacted]" },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    forceCloseConnections: "idle",
  });
  const shutdown = new AbortController();
  // Every plan in flight or queued listens to the shutdown signal (and detaches when it ends): more than node's
  // default of 10 is normal, not a leak, so the MaxListenersExceeded warning is turned off for this one signal.
  setMaxListeners(0, shutdown.signal);
  const sessions = deps.sessions ?? (config.sessionStore === "redis" ? new RedisSessionStore(config.redisUrl!, config.sessionTtlSeconds) : new MemorySessionStore(config.sessionTtlSeconds));
  const slots = new PlanSlots(config.maxRunningPlans, config.maxQueuedPlans);
  const context: ServerContext = {
    config,
    pool: new PlannerPool(deps.planners, { ...(config.dataDir ? { dataDir: config.dataDir } : {}), ...(config.modelsDir ? { modelsDir: config.modelsDir } : {}) }, config.plannerSettings),
    sessions,
    live: new LiveSessions(config.maxLiveSessions),
    traces: new TraceStore(config.traceCapacity),
    slots,
    scheduler: new DeadlineScheduler(),
    metrics: new ServerMetrics(() => slots.queued),
    upstream: deps.upstream ?? upstreamFromEnv(),
    log: app.log,
    warm: { done: false },
    shutdown: shutdown.signal,
  };
  // The warm-up starts once the server listens (a server that fails to bind does not load models first).
  const stopWarmUp = new AbortController();
  const warmNames = config.warmPlanners ?? (served.includes(config.defaultPlanner) ? [config.defaultPlanner] : []);
  let warmed!: () => void;
  const ready = new Promise<void>((resolve) => (warmed = resolve));
  let warming: Promise<void> | undefined;
  const startWarmUp = () => {
    warming ??= warmUp(context, warmNames, stopWarmUp.signal).finally(() => {
      context.warm.done = true;
      warmed();
    });
  };
  if (warmNames.length === 0) startWarmUp();
  app.addHook("onListen", async () => startWarmUp());

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (config.authToken && !PUBLIC_PATHS.has(request.routeOptions.url ?? "") && !bearerMatches(request.headers.authorization, config.authToken)) {
      throw new HttpError(401, "unauthorized", "missing or wrong bearer token (Authorization: Bearer <token>)");
    }
  });
  let closingStarted = false;
  // While shutting down, answers close their connection so keep-alive clients do not hold the server open.
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closingStarted) reply.header("connection", "close");
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    context.metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    context.metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      allowList: (request) => PUBLIC_PATHS.has(request.routeOptions.url ?? ""),
      keyGenerator: (request) => (request.headers.authorization ? digest(request.headers.authorization).toString("hex") : request.ip),
    });
  }

  app.setErrorHandler((error, request, reply) => {
    const send = (status: number, type: string, message: string, field?: string, retryAfter?: number) => {
      if (retryAfter !== undefined) reply.header("retry-after", String(retryAfter));
      context.metrics.errors.inc({ kind: type });
      return reply.code(status).send({ error: { type, message, ...(field ? { field } : {}) }, requestId: request.id });
    };
    if (error instanceof HttpError) return send(error.statusCode, error.type, error.message, error.field, error.retryAfterSeconds);
    if (error instanceof UnknownPlannerError) return send(404, "unknown_planner", error.message, "planner");
    if (error instanceof PlannerInputError) return send(400, "invalid_request", error.message, error.field);
    if (error instanceof PlanSlotsFullError) return send(429, "busy", error.message, undefined, 1);
    if (error instanceof SessionLimitError) return send(503, "session_limit", error.message, undefined, 30);
    if (error instanceof PlanDeadlineError) return send(504, "deadline_exceeded", error.message);
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    if (fastifyError.statusCode === 429) return send(429, "rate_limited", "rate limit exceeded; retry later", undefined, 60);
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return send(413, "body_too_large", `request body exceeds ${config.bodyLimit} bytes`);
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      // Fastify's own client errors (malformed JSON, wrong content type …): their messages name what is wrong.
      return send(fastifyError.statusCode, "invalid_request", fastifyError.message ?? "invalid request");
    }
    request.log.error({ err: error }, "unhandled error");
    return send(500, "internal_error", "internal error; see the server log for request " + request.id);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { type: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` }, requestId: request.id }));

  const version = deps.version ?? "0.0.0";
  registerHealthRoutes(app, context, version);
  registerPlanRoutes(app, context);
  registerSessionRoutes(app, context);
  registerChatRoutes(app, context);
  registerTraceRoutes(app, context);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Plans still running after their longest possible deadline are told to stop with their best decision.
      closingStarted = true;
      stopWarmUp.abort();
      const force = setTimeout(() => shutdown.abort(new Error("server shutting down")), config.maxBudgetMs + config.deadlineMarginMs);
      const sweep = setInterval(() => app.server.closeIdleConnections?.(), 50);
      try {
        await app.close();
        await warming;
        await context.slots.drain(config.maxBudgetMs + config.deadlineMarginMs);
      } finally {
        clearTimeout(force);
        clearInterval(sweep);
        shutdown.abort(new Error("server closed"));
        await context.live.close();
        await context.pool.close();
        await sessions.close();
      }
    })());
  return { app, context, config, ready, close };
}
