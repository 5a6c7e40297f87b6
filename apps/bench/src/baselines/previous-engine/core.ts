import { MctsConfigError, T_MINMAX } from "./config.js";
import type { Mcts } from "./engine.js";
import type { SearchBudget } from "./types.js";

/** True when `value` is a promise-like (has a callable `then`). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Checks a budget and returns its absolute deadline (Infinity when none). */
export function resolveBudget(budget: SearchBudget, start: number): number {
  if (budget === null || typeof budget !== "object") throw new MctsConfigError("budget", "must be an object");
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

/**
 * @internal Backs `value` (the leaf's value from its own perspective) up a path: the leaf, then each edge and
 * node from the deepest up, with G ← r + γ·G (γ negated between the plies of a two-player game).
 */
export function backup<S, A>(
  engine: Mcts<S, A>,
  nodes: ArrayLike<number>,
  edges: ArrayLike<number>,
  reals: ArrayLike<number>,
  rewards: ArrayLike<number>,
  len: number,
  leaf: number,
  leafReal: number,
  value: number,
): void {
  const tree = engine.tree;
  const factor = engine.cfg.childFactor;
  const track = engine.cfg.transform === T_MINMAX && !engine.cfg.minMaxFixed;
  let g = value;
  if (leaf >= 0) {
    tree.visits[leaf]! += 1;
    tree.valueSum[leaf]! += g;
  }
  if (leafReal >= 0) {
    tree.realVisits[leafReal]! += 1;
    tree.realValue[leafReal]! += g;
  }
  for (let i = len - 1; i >= 0; i--) {
    g = rewards[i]! + factor * g;
    const e = edges[i]!;
    tree.edgeVisits[e]! += 1;
    tree.edgeValue[e]! += g;
    const p = nodes[i]!;
    tree.visits[p]! += 1;
    tree.valueSum[p]! += g;
    const r = reals[i]!;
    if (r >= 0) {
      tree.realVisits[r]! += 1;
      tree.realValue[r]! += g;
    }
    if (track) engine.selector.observe(tree.edgeValue[e]! / tree.edgeVisits[e]!);
  }
}
