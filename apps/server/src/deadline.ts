import type { Conversation, Decision, PlanBudget, PlanOptions, Planner } from "@foresight/planners";

/**
 * A signal that aborts when any of `sources` does, and `dispose` to detach it. Unlike `AbortSignal.any`, it leaves
 * nothing behind on a long-lived source (the server's shutdown signal): node 20 keeps every `AbortSignal.any` result
 * registered on its sources for as long as they live, about 50 bytes per request.
 */
export function linkedSignal(sources: AbortSignal[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const aborted = sources.find((s) => s.aborted);
  if (aborted) controller.abort(aborted.reason);
  else for (const source of sources) source.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, dispose: () => sources.forEach((source) => source.removeEventListener("abort", onAbort)) };
}

/** A plan that did not return by its deadline (the planner ignored its time budget and signal). */
export class PlanDeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the planner did not finish within its deadline of ${deadlineMs} ms`);
    this.name = "PlanDeadlineError";
  }
}

/**
 * Runs one plan so that it ends by `budget.timeMs + marginMs` whatever the planner does: the planner gets the time
 * budget and an AbortSignal that fires at the budget, and the call is raced against a timer at the deadline. A
 * caller's signal (client disconnect, shutdown) aborts the plan too.
 */
export async function planWithDeadline(
  planner: Planner<Record<string, unknown>>,
  conversation: Conversation,
  options: PlanOptions & { budget: PlanBudget & { timeMs: number } },
  marginMs: number,
  outerSignal?: AbortSignal,
): Promise<Decision> {
  const controller = new AbortController();
  const budgetTimer = setTimeout(() => controller.abort(new Error("time budget reached")), options.budget.timeMs);
  const onOuterAbort = () => controller.abort(outerSignal?.reason);
  outerSignal?.addEventListener("abort", onOuterAbort, { once: true });
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadlineMs = options.budget.timeMs + marginMs;
  try {
    const plan = planner.plan(conversation, { ...options, budget: { ...options.budget, signal: controller.signal } });
    const deadline = new Promise<never>((_, reject) => {
      deadlineTimer = setTimeout(() => reject(new PlanDeadlineError(deadlineMs)), deadlineMs);
    });
    // A plan that rejects after the deadline must not become an unhandled rejection.
    plan.catch(() => undefined);
    return await Promise.race([plan, deadline]);
  } finally {
    clearTimeout(budgetTimer);
    clearTimeout(deadlineTimer);
    outerSignal?.removeEventListener("abort", onOuterAbort);
  }
}
