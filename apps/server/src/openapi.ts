import { z } from "zod";
import { ChatCompletionRequestSchema, CreateSessionSchema, PlanRequestSchema, SessionTurnsSchema } from "./schemas.js";

const body = (schema: z.ZodType) => ({ required: true, content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } } });
const ok = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const errors = {
  "400": { description: "invalid request; `error.field` names the failing field" },
  "401": { description: "missing or wrong bearer token" },
  "404": { description: "unknown planner, session or trace" },
  "413": { description: "body too large" },
  "429": { description: "rate limit, or every plan slot taken and the queue full (or the budget spent waiting); see Retry-After" },
};

/** The OpenAPI 3.1 document served at `/openapi.json`, generated from the same zod schemas that validate requests. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "Foresight planning server", version, description: "Look-ahead planning for chat agents: plan a turn, keep sessions, or proxy an OpenAI-compatible model and plan every reply." },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      "/v1/plan": { post: { summary: "Plan one turn", requestBody: body(PlanRequestSchema), responses: { "200": ok("the decision"), "504": { description: "the planner overran its deadline" }, ...errors } } },
      "/v1/planners": { get: { summary: "The planners this server serves", responses: { "200": ok("planner list") } } },
      "/v1/sessions": { post: { summary: "Start a session (tree reuse across turns)", requestBody: body(CreateSessionSchema), responses: { "201": ok("the session"), "503": { description: "session limit reached" }, ...errors } } },
      "/v1/sessions/{id}": {
        get: { summary: "A session's conversation", responses: { "200": ok("the session"), ...errors } },
        delete: { summary: "End a session", responses: { "204": { description: "deleted" }, ...errors } },
      },
      "/v1/sessions/{id}/turns": { post: { summary: "Add what was said and plan the next agent turn", requestBody: body(SessionTurnsSchema), responses: { "200": ok("the session and decision"), "409": { description: "concurrent update" }, ...errors } } },
      "/v1/chat/completions": { post: { summary: "OpenAI-compatible chat completions that plan every reply", requestBody: body(ChatCompletionRequestSchema), responses: { "200": ok("chat.completion (or an SSE stream of chunks) with a `foresight` extension field"), "502": { description: "upstream failed after retries" }, ...errors } } },
      "/v1/traces/{id}": { get: { summary: "A decision's search tree", responses: { "200": ok("the trace"), ...errors } } },
      "/viewer": { get: { summary: "Search-tree viewer page (`?trace=ID`)", security: [], responses: { "200": { description: "HTML" } } } },
      "/healthz": { get: { summary: "Liveness", security: [], responses: { "200": ok("ok") } } },
      "/readyz": { get: { summary: "Readiness (warmed up, session store reachable, not shutting down)", security: [], responses: { "200": ok("ready"), "503": { description: "not ready" } } } },
      "/metrics": { get: { summary: "Prometheus metrics", security: [], responses: { "200": { description: "text exposition format" } } } },
      "/openapi.json": { get: { summary: "This document", security: [], responses: { "200": ok("OpenAPI 3.1") } } },
    },
  };
}
