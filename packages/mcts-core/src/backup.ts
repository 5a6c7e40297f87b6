import { T_MINMAX } from "./config.js";
import type { SearchContext } from "./context.js";
import type { Tree } from "./tree.js";

/** The value of node `n` under max backup: the highest mean Q among its visited edges, or its mean value without any. */
function maxBackedValue<S, A>(tree: Tree<S, A>, n: number): number {
  const first = tree.firstEdge[n]!;
  const end = first + tree.edgeCount[n]!;
  let best = -Infinity;
  for (let e = first; e < end; e++) {
    const visits = tree.edgeVisits[e]!;
    if (visits > 0) {
      const q = tree.edgeValue[e]! / visits;
      if (q > best) best = q;
    }
  }
  return best > -Infinity ? best : tree.nodeValue(n);
}

/**
 * @internal Backs `value` (the leaf's value from its own perspective) up a path: the leaf, then each edge and
 * node from the deepest up, with G ← r + γ·G (γ negated between the plies of a two-player game). With `max`
 * backup, G above a node is that node's max-backed value instead of the sampled return. With `returns: "mean"`
 * (`value` then the mean of `leafSteps` rewards below the leaf) each edge and node gets the mean of the rewards
 * from it to the end, Σ/n with Σ ← r + γ·Σ and n ← n + 1. `gens` (when given) holds the generation of each path
 * realization: a slot evicted and reused meanwhile is left alone.
 */
export function backup<S, A>(
  ctx: SearchContext<S, A>,
  nodes: ArrayLike<number>,
  edges: ArrayLike<number>,
  reals: ArrayLike<number>,
  gens: ArrayLike<number> | undefined,
  rewards: ArrayLike<number>,
  len: number,
  leaf: number,
  leafReal: number,
  value: number,
  leafSteps: number,
): void {
  const tree = ctx.tree;
  const cfg = ctx.cfg;
  const factor = cfg.childFactor;
  const track = cfg.transform === T_MINMAX && !cfg.minMaxFixed;
  const max = cfg.backupMax;
  const mean = cfg.meanReturns;
  let g = value;
  let sum = mean ? value * leafSteps : 0;
  let n = leafSteps;
  if (leaf >= 0) {
    tree.visits[leaf]! += 1;
    tree.valueSum[leaf]! += g;
    if (max) g = maxBackedValue(tree, leaf);
  }
  if (leafReal >= 0) {
    tree.realVisits[leafReal]! += 1;
    tree.realValue[leafReal]! += value;
  }
  for (let i = len - 1; i >= 0; i--) {
    if (mean) {
      sum = rewards[i]! + factor * sum;
      n += 1;
      g = sum / n;
    } else {
      g = rewards[i]! + factor * g;
    }
    const e = edges[i]!;
    tree.edgeVisits[e]! += 1;
    tree.edgeValue[e]! += g;
    const p = nodes[i]!;
    tree.visits[p]! += 1;
    if (max) {
      g = maxBackedValue(tree, p);
      tree.valueSum[p] = g * tree.visits[p]!;
    } else {
      tree.valueSum[p]! += g;
    }
    const r = reals[i]!;
    if (r >= 0 && (gens === undefined || tree.realGen[r] === gens[i])) {
      tree.realVisits[r]! += 1;
      tree.realValue[r]! += g;
    }
    if (track) ctx.selector.observe(tree.edgeValue[e]! / tree.edgeVisits[e]!);
  }
}
