import { BUDGET_KEYS, knownKeys, MctsConfigError } from "./config.js";
import type { SearchBudget } from "./types.js";

/** True when `value` is a promise-like (has a callable `then`). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Checks a budget and returns its absolute deadline (Infinity when none). */
export function resolveBudget(budget: SearchBudget, start: number): number {
  if (budget === null || typeof budget !== "object") throw new MctsConfigError("budget", "must be an object");
  knownKeys("budget", budget, BUDGET_KEYS);
  const { iterations, timeMs, deadline, custom, signal } = budget;
  if (iterations !== undefined && (!Number.isInteger(iterations) || iterations < 0)) {
    throw new MctsConfigError("budget.iterations", `must be an integer ≥ 0, got ${String(iterations)}`);
  }
  if (timeMs !== undefined && !(timeMs >= 0)) throw new MctsConfigError("budget.timeMs", `must be ≥ 0, got ${String(timeMs)}`);
  if (deadline !== undefined && Number.isNaN(deadline)) throw new MctsConfigError("budget.deadline", "must be a number");
  if (custom !== undefined && typeof custom.exhausted !== "function") {
    throw new MctsConfigError("budget.custom", "needs an exhausted() function");
  }
  if (iterations === undefined && timeMs === undefined && deadline === undefined && custom === undefined && signal === undefined) {
    throw new MctsConfigError("budget", "needs iterations, timeMs, deadline, custom or signal");
  }
  let end = Infinity;
  if (timeMs !== undefined) end = start + timeMs;
  if (deadline !== undefined) end = Math.min(end, deadline);
  return end;
}
