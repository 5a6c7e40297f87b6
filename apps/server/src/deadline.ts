import type { Conversation, Decision, PlanBudget, PlanOptions, Planner } from "@foresight/planners";

/**
 * A signal that aborts when any of `sources` does or when `abort` is called, and `dispose` to detach it. Unlike
 * `AbortSignal.any`, it leaves nothing behind on a long-lived source (the server's shutdown signal): node 20 keeps every
 * `AbortSignal.any` result registered on its sources for as long as they live, about 50 bytes per request.
 */
export function linkedSignal(sources: readonly AbortSignal[]): { signal: AbortSignal; abort(reason: unknown): void; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const aborted = sources.find((s) => s.aborted);
  if (aborted) controller.abort(aborted.reason);
  else for (const source of sources) source.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => sources.forEach((source) => source.removeEventListener("abort", onAbort)),
  };
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
 * budget and an AbortSignal that fires at the budget or when one of `stopSignals` (client disconnect, shutdown)
 * aborts, and the call is raced against a timer at the deadline.
 */
export async function planWithDeadline(
  planner: Planner<Record<string, unknown>>,
  conversation: Conversation,
  options: PlanOptions & { budget: PlanBudget & { timeMs: number } },
  marginMs: number,
  stopSignals: readonly AbortSignal[] = [],
): Promise<Decision> {
  const stop = linkedSignal(stopSignals);
  const budgetTimer = setTimeout(() => stop.abort(new Error("time budget reached")), options.budget.timeMs);
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadlineMs = options.budget.timeMs + marginMs;
  try {
    const plan = planner.plan(conversation, { ...options, budget: { ...options.budget, signal: stop.signal } });
    const deadline = new Promise<never>((_, reject) => {
      deadlineTimer = setTimeout(() => reject(new PlanDeadlineError(deadlineMs)), deadlineMs);
    });
    // A plan that rejects after the deadline must not become an unhandled rejection.
    plan.catch(() => undefined);
    return await Promise.race([plan, deadline]);
  } finally {
    clearTimeout(budgetTimer);
    clearTimeout(deadlineTimer);
    stop.dispose();
  }
}
