import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ConversationTurn, Planner } from "@foresight/planners";
import type { ServerContext } from "../context.js";
import { publicDecision, runPlan } from "../planning.js";
import { CreateSessionSchema, SessionTurnsSchema } from "../schemas.js";
import type { SessionRecord } from "../sessions/store.js";
import { HttpError, abortOnClose, arrivalTime, parseBody } from "./http.js";

function sessionView(record: SessionRecord) {
  return { id: record.id, planner: record.planner, turns: record.turns.length, createdAt: record.createdAt, version: record.version };
}

async function loadSession(ctx: ServerContext, id: string): Promise<SessionRecord> {
  const record = await ctx.sessions.get(id);
  if (!record) throw new HttpError(404, "not_found", `session ${JSON.stringify(id)} does not exist or has expired`, "id");
  return record;
}

/**
 * The planner for a session's next turn. A planner without `observe` is stateless between calls, so every session
 * shares the server's one instance. One with `observe` gets the session's own instance: the live one advanced with the
 * new turns (tree reuse) when this instance served the session's last turn, otherwise a fresh one (another instance
 * served it, or it was evicted) that plans from the stored conversation.
 */
async function sessionPlanner(ctx: ServerContext, record: SessionRecord, newTurns: ConversationTurn[]): Promise<{ planner: Planner<Record<string, unknown>>; own: boolean }> {
  const live = ctx.live.take(record.id, record.turns.length);
  if (live) {
    live.observe!(newTurns);
    return { planner: live, own: true };
  }
  const own = await ctx.pool.sessionInstance(record.planner, record.settings);
  return own ? { planner: own, own: true } : { planner: await ctx.pool.sharedInstance(record.planner), own: false };
}

/**
 * Sessions: the conversation lives in the session store (memory or Redis, shared by every instance); the planner and
 * its tree live on the instance that served the last turn and are advanced with `observe` (tree reuse).
 */
export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/sessions", async (request, reply) => {
    const body = parseBody(CreateSessionSchema, request.body);
    const factory = ctx.pool.factory(body.planner);
    const record: SessionRecord = {
      id: randomUUID(),
      planner: factory.name,
      ...(body.settings ? { settings: body.settings } : {}),
      ...(body.context ? { context: body.context } : {}),
      turns: body.turns ?? [],
      createdAt: new Date().toISOString(),
      version: 0,
    };
    // A planner that keeps a tree gets an instance of its own now (bad settings fail here, not on the first turn).
    const own = await ctx.pool.sessionInstance(factory.name, record.settings);
    if (own) ctx.live.put(record.id, own, record.turns.length);
    await ctx.sessions.create(record);
    reply.code(201);
    return { session: sessionView(record), ttlSeconds: ctx.config.sessionTtlSeconds };
  });

  app.get<{ Params: { id: string } }>("/v1/sessions/:id", async (request) => {
    const record = await loadSession(ctx, request.params.id);
    return { session: sessionView(record), conversation: { turns: record.turns, context: record.context ?? {} } };
  });

  app.post<{ Params: { id: string } }>("/v1/sessions/:id/turns", async (request, reply) => {
    const arrivedAt = arrivalTime(reply);
    const body = parseBody(SessionTurnsSchema, request.body);
    const record = await loadSession(ctx, request.params.id);
    const { planner, own } = await sessionPlanner(ctx, record, body.turns);
    const next: SessionRecord = { ...record, turns: [...record.turns, ...body.turns], version: record.version + 1 };
    try {
      const conversation = { turns: next.turns, ...(next.context ? { context: next.context } : {}) };
      const options = { ...body, arrivedAt, ...(record.settings ? { settings: record.settings } : {}) };
      const decision = body.plan === false ? undefined : await runPlan(ctx, record.planner, planner, conversation, options, abortOnClose(reply));
      if (!(await ctx.sessions.update(next))) throw new HttpError(409, "conflict", `session ${record.id} was updated by another request; send the turns again`, "id");
      if (own) ctx.live.put(record.id, planner, next.turns.length);
      return { session: sessionView(next), ...(decision ? { decision: publicDecision(decision) } : {}) };
    } catch (error) {
      // The tree may now hold a turn the session never stored: start the next turn from a fresh instance.
      if (own) await planner.close?.();
      throw error;
    }
  });

  app.delete<{ Params: { id: string } }>("/v1/sessions/:id", async (request, reply) => {
    ctx.live.drop(request.params.id);
    if (!(await ctx.sessions.delete(request.params.id))) throw new HttpError(404, "not_found", `session ${JSON.stringify(request.params.id)} does not exist or has expired`, "id");
    reply.code(204);
    return null;
  });
}
