import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { VIEWER_HTML } from "../viewer.js";
import { HttpError } from "./http.js";

/** `GET /v1/traces/{id}` (the decision and its search tree) and `GET /viewer` (draws it). */
export function registerTraceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>("/v1/traces/:id", async (request) => {
    const trace = ctx.traces.get(request.params.id);
    if (!trace) throw new HttpError(404, "not_found", `trace ${JSON.stringify(request.params.id)} is unknown or was evicted (the server keeps the last ${ctx.config.traceCapacity})`, "id");
    return trace;
  });

  app.get("/viewer", async (_request, reply) => {
    reply.type("text/html; charset=utf-8").header("content-security-policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
    return VIEWER_HTML;
  });
}
