import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { publicDecision, runPlan } from "../planning.js";
import { PlanRequestSchema } from "../schemas.js";
import { abortOnClose, arrivalTime, parseBody } from "./http.js";

/** `POST /v1/plan` and `GET /v1/planners`. */
export function registerPlanRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/v1/planners", async () => ({
    planners: ctx.pool.names().map((name) => {
      const factory = ctx.pool.factory(name);
      return { name, domain: factory.domain, summary: factory.summary };
    }),
  }));

  app.post("/v1/plan", async (request, reply) => {
    const arrivedAt = arrivalTime(reply);
    const body = parseBody(PlanRequestSchema, request.body);
    const factory = ctx.pool.factory(body.planner);
    const planner = await ctx.pool.sharedInstance(factory.name);
    const decision = await runPlan(ctx, factory.name, planner, body.conversation, { ...body, arrivedAt }, abortOnClose(reply));
    return { decision: publicDecision(decision) };
  });
}
