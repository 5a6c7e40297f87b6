import type { Conversation, Decision, PlanBudget, Planner } from "@foresight/planners";
import type { ServerContext } from "./context.js";
import { linkedSignal, planWithDeadline } from "./deadline.js";

/** What a route asks of one plan. */
export interface PlanRequestOptions {
  budget?: Omit<PlanBudget, "signal">;
  seed?: number;
  settings?: Record<string, unknown>;
  candidates?: string[];
  /** Ask the planner for its search tree (for `/v1/traces/{id}` and the viewer); off by default, it costs time. */
  trace?: boolean;
  /** `performance.now()` when the request arrived: the time budget counts from there, queueing included. */
  arrivedAt?: number;
}

/** The least time a plan gets when it leaves the queue with (almost) nothing of its budget left. */
const MIN_PLAN_MS = 5;

/**
 * Runs one plan the way every route does: in a plan slot (queued while all are taken; 429 when the queue is full or
 * the budget runs out in it), with the time budget capped at the server's maximum and counted from the request's
 * arrival, ending by its deadline, counted in the metrics and kept in the trace store.
 */
export async function runPlan(
  ctx: ServerContext,
  plannerName: string,
  planner: Planner<Record<string, unknown>>,
  conversation: Conversation,
  options: PlanRequestOptions,
  requestSignal?: AbortSignal,
): Promise<Decision> {
  const budgetMs = Math.min(options.budget?.timeMs ?? ctx.config.defaultBudgetMs, ctx.config.maxBudgetMs);
  const endsAt = (options.arrivedAt ?? performance.now()) + budgetMs;
  const linked = linkedSignal(requestSignal ? [requestSignal, ctx.shutdown] : [ctx.shutdown]);
  const signal = linked.signal;
  const run = async () => {
    const timeMs = Math.max(MIN_PLAN_MS, endsAt - performance.now());
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
          trace: options.trace ?? false,
        },
        ctx.config.deadlineMarginMs,
        signal,
      );
      ctx.metrics.plans.inc({ planner: plannerName, outcome: decision.degraded ? "degraded" : "ok" });
      ctx.metrics.simulations.inc({ planner: plannerName }, decision.stats.simulations);
      ctx.metrics.llmCalls.inc({ source: "planner" }, decision.stats.llmCalls);
      ctx.metrics.llmTokens.inc({ source: "planner" }, decision.stats.tokens);
      return { ...decision, traceId: ctx.traces.put(conversation, decision) };
    } catch (error) {
      ctx.metrics.plans.inc({ planner: plannerName, outcome: "failed" });
      throw error;
    } finally {
      ctx.metrics.plansInFlight.dec();
    }
  };
  try {
    return await ctx.slots.run(run, { maxWaitMs: endsAt - performance.now(), signal });
  } finally {
    linked.dispose();
  }
}

/** A decision as the API returns it: the search tree stays in the trace store (`/v1/traces/{id}`). */
export function publicDecision(decision: Decision): Omit<Decision, "trace"> {
  const { trace: _trace, ...rest } = decision;
  return rest;
}
