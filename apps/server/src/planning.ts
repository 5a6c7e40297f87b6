import type { Conversation, Decision, PlanBudget, Planner } from "@foresight/planners";
import type { ServerContext } from "./context.js";
import { planWithDeadline } from "./deadline.js";

/** What a route asks of one plan. */
export interface PlanRequestOptions {
  budget?: Omit<PlanBudget, "signal">;
  seed?: number;
  settings?: Record<string, unknown>;
  candidates?: string[];
  trace?: boolean;
}

/**
 * Runs one plan the way every route does: in a plan slot (429 when none is free), with the time budget capped at the
 * server's maximum, ending by its deadline, counted in the metrics and kept in the trace store.
 */
export async function runPlan(
  ctx: ServerContext,
  plannerName: string,
  planner: Planner<Record<string, unknown>>,
  conversation: Conversation,
  options: PlanRequestOptions,
  requestSignal?: AbortSignal,
): Promise<Decision> {
  const timeMs = Math.min(options.budget?.timeMs ?? ctx.config.defaultBudgetMs, ctx.config.maxBudgetMs);
  const signal = requestSignal ? AbortSignal.any([requestSignal, ctx.shutdown]) : ctx.shutdown;
  return ctx.slots.run(async () => {
    ctx.metrics.plansInFlight.inc();
    try {
      const decision = await planWithDeadline(
        planner,
        conversation,
        {
          budget: { ...options.budget, timeMs },
          ...(options.seed === undefined ? {} : { seed: options.seed }),
          ...(options.settings === undefined ? {} : { settings: options.settings }),
          ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
          trace: options.trace ?? true,
        },
        ctx.config.deadlineMarginMs,
        signal,
      );
      ctx.metrics.plans.inc({ planner: plannerName, outcome: decision.degraded ? "degraded" : "ok" });
      ctx.metrics.simulations.inc({ planner: plannerName }, decision.stats.simulations);
      ctx.metrics.llmCalls.inc({ source: "planner" }, decision.stats.llmCalls);
      ctx.metrics.llmTokens.inc({ source: "planner" }, decision.stats.tokens);
      ctx.traces.put(conversation, decision);
      return decision;
    } catch (error) {
      ctx.metrics.plans.inc({ planner: plannerName, outcome: "failed" });
      throw error;
    } finally {
      ctx.metrics.plansInFlight.dec();
    }
  });
}

/** A decision as the API returns it: the search tree stays in the trace store (`/v1/traces/{id}`). */
export function publicDecision(decision: Decision): Omit<Decision, "trace"> {
  const { trace: _trace, ...rest } = decision;
  return rest;
}
