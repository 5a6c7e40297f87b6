import type { Rng } from "./rng.js";
import { NONE, type Tree } from "./tree.js";

/** The `index`-th realization in `node`'s cache (in cache order), or NONE. */
export function nthRealization<S, A>(tree: Tree<S, A>, node: number, index: number): number {
  let r = tree.firstReal[node]!;
  for (let i = 0; i < index && r !== NONE; i++) r = tree.realNext[r]!;
  return r;
}

/** A realization of `node` drawn uniformly at random (GDP-Zero's reuse once k are held). */
export function uniformRealization<S, A>(tree: Tree<S, A>, node: number, rng: Rng): number {
  return nthRealization(tree, node, rng.int(tree.realCount[node]!));
}

/**
 * The score that ranks realization `r` in a top-value cache: the caller's static score when `useStatic`, else the
 * return reward + factor·value for the player who acted into it (`factor` = γ, or −γ in a two-player game), the
 * same quantity {@link bestRealization} maximises.
 */
export function realizationScore<S, A>(tree: Tree<S, A>, r: number, factor: number, useStatic: boolean): number {
  return useStatic ? tree.realScore[r]! : tree.realReward[r]! + factor * tree.realizationValue(r);
}

/** A realization of `node` drawn with probability softmax(score / temperature) (SMCTS-TOD Eq. 26). */
export function softmaxRealization<S, A>(tree: Tree<S, A>, node: number, temperature: number, rng: Rng, factor: number, useStatic: boolean): number {
  let hi = -Infinity;
  for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) {
    const v = realizationScore(tree, r, factor, useStatic);
    if (v > hi) hi = v;
  }
  let z = 0;
  for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) z += Math.exp((realizationScore(tree, r, factor, useStatic) - hi) / temperature);
  let u = rng.next() * z;
  let last = NONE;
  for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) {
    last = r;
    u -= Math.exp((realizationScore(tree, r, factor, useStatic) - hi) / temperature);
    if (u < 0) return r;
  }
  return last;
}

/** Evicts the lowest-scored realizations of `node` until at most `capacity` remain (top-B by score). */
export function evictToCapacity<S, A>(tree: Tree<S, A>, node: number, capacity: number, factor: number, useStatic: boolean): void {
  while (tree.realCount[node]! > capacity) {
    let worst = NONE;
    let worstValue = Infinity;
    for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) {
      const v = realizationScore(tree, r, factor, useStatic);
      // Among equal scores the oldest (last in cache order) goes first.
      if (v <= worstValue) {
        worstValue = v;
        worst = r;
      }
    }
    tree.removeRealization(node, worst);
  }
}

/**
 * The realization of `node` that is best for the player who acted into it: the highest return reward + factor·value
 * (`factor` = γ, or −γ in a two-player game, as in a backup), so a realization's own reward counts (a terminal one
 * has value 0) and the opponent's running value counts against it. Ties: more visits. Unvisited realizations are
 * passed over; NONE only when the cache is empty.
 */
export function bestRealization<S, A>(tree: Tree<S, A>, node: number, factor: number): number {
  let best = NONE;
  let bestReturn = -Infinity;
  let bestVisits = -1;
  for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) {
    if (tree.realVisits[r] === 0) continue;
    const g = tree.realReward[r]! + factor * tree.realizationValue(r);
    if (g > bestReturn || (g === bestReturn && tree.realVisits[r]! > bestVisits)) {
      best = r;
      bestReturn = g;
      bestVisits = tree.realVisits[r]!;
    }
  }
  return best === NONE ? tree.firstReal[node]! : best;
}

/** An outcome of edge `edge` drawn in proportion to its visits (at least one each). */
export function visitWeightedOutcome<S, A>(tree: Tree<S, A>, edge: number, rng: Rng): number {
  let total = 0;
  for (let o = tree.edgeChild[edge]!; o >= 0; o = tree.nextOutcome[o]!) total += Math.max(1, tree.visits[o]!);
  let u = rng.next() * total;
  let last = NONE;
  for (let o = tree.edgeChild[edge]!; o >= 0; o = tree.nextOutcome[o]!) {
    last = o;
    u -= Math.max(1, tree.visits[o]!);
    if (u < 0) return o;
  }
  return last;
}

/** Number of stored outcomes of `edge`. */
export function outcomeCount<S, A>(tree: Tree<S, A>, edge: number): number {
  let count = 0;
  for (let o = tree.edgeChild[edge]!; o >= 0; o = tree.nextOutcome[o]!) count++;
  return count;
}

/** The outcome of `edge` whose key equals `key`, or NONE. */
export function findOutcome<S, A>(tree: Tree<S, A>, edge: number, key: string | number): number {
  for (let o = tree.edgeChild[edge]!; o >= 0; o = tree.nextOutcome[o]!) if (tree.keys[o] === key) return o;
  return NONE;
}
