import type { Conversation, Decision, PlanBudget, Planner } from "@foresight/planners";
import type { ServerContext } from "./context.js";
import { planWithDeadline } from "./deadline.js";

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
  // The plan stops when the client goes away or the server shuts down, whether it is still queued or running.
  const stopSignals = requestSignal ? [requestSignal, ctx.shutdown] : [ctx.shutdown];
  const run = async () => {
    const timeMs = Math.max(MIN_PLAN_MS, endsAt - performance.now());
    // Its search shares the CPU with the other plans in flight, earliest deadline first.
    const turns = ctx.scheduler.forPlan(endsAt);
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
          scheduler: turns,
        },
        ctx.config.deadlineMarginMs,
        stopSignals,
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
      turns.close();
      ctx.metrics.plansInFlight.dec();
    }
  };
  return ctx.slots.run(run, { maxWaitMs: endsAt - performance.now(), signals: stopSignals });
}

/** A decision as the API returns it: the search tree stays in the trace store (`/v1/traces/{id}`). */
export function publicDecision(decision: Decision): Omit<Decision, "trace"> {
  const { trace: _trace, ...rest } = decision;
  return rest;
}
