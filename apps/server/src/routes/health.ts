import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { openApiDocument } from "../openapi.js";

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json`. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext, version: string): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const store = await ctx.sessions.ping();
    const ready = store && ctx.warm.done && !ctx.shutdown.aborted;
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? "ready" : "not ready",
      sessionStore: { kind: ctx.sessions.kind, ok: store },
      warmingUp: !ctx.warm.done,
      shuttingDown: ctx.shutdown.aborted,
      plansInFlight: ctx.slots.inFlight,
      plansQueued: ctx.slots.queued,
      planners: ctx.pool.names(),
    };
  });
  app.get("/metrics", async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  const doc = openApiDocument(version);
  app.get("/openapi.json", async () => doc);
}
