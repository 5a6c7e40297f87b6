import { NONE, Tree } from "./tree.js";

function powerOfTwoAtLeast(n: number, floor: number): number {
  let cap = floor;
  while (cap < n) cap *= 2;
  return cap;
}

/**
 * Copies the subtree under `root` into a fresh, compact tree (the new root gets index 0), breadth-first, keeping
 * at most `maxNodes` nodes. Edges whose child is dropped keep their statistics and are re-expanded on demand.
 */
export function compactTree<S, A>(old: Tree<S, A>, root: number, maxNodes: number): Tree<S, A> {
  // First pass: which nodes survive, in breadth-first order.
  const order: number[] = [root];
  for (let head = 0; head < order.length && order.length < maxNodes; head++) {
    const node = order[head]!;
    const first = old.firstEdge[node]!;
    if (first < 0) continue;
    const end = first + old.edgeCount[node]!;
    for (let e = first; e < end && order.length < maxNodes; e++) {
      for (let c = old.edgeChild[e]!; c >= 0 && order.length < maxNodes; c = old.nextOutcome[c]!) order.push(c);
    }
  }
  const newIndex = new Map<number, number>();
  order.forEach((node, i) => newIndex.set(node, i));
  let edges = 0;
  let reals = 0;
  for (const node of order) {
    if (old.firstEdge[node]! >= 0) edges += old.edgeCount[node]!;
    if (old.openLoop) reals += old.realCount[node]!;
  }
  const tree = new Tree<S, A>(
    powerOfTwoAtLeast(order.length, 1024),
    powerOfTwoAtLeast(edges, 4096),
    old.openLoop,
    reals > 0 ? powerOfTwoAtLeast(reals, 16) : 0,
  );
  for (const node of order) {
    const n = tree.addNode(NONE, old.states[node]!, old.reward[node]!, false);
    tree.visits[n] = old.visits[node]!;
    tree.valueSum[n] = old.valueSum[node]!;
    tree.rawValue[n] = old.rawValue[node]!;
    tree.flags[n] = old.flags[node]!;
    tree.keys[n] = old.keys[node];
  }
  for (let n = 0; n < order.length; n++) {
    const node = order[n]!;
    const first = old.firstEdge[node]!;
    if (first >= 0) {
      const count = old.edgeCount[node]!;
      tree.expand(n, old.actions[node]!, undefined);
      const newFirst = tree.firstEdge[n]!;
      for (let i = 0; i < count; i++) {
        const e = first + i;
        const ne = newFirst + i;
        tree.edgeVisits[ne] = old.edgeVisits[e]!;
        tree.edgeValue[ne] = old.edgeValue[e]!;
        tree.edgePrior[ne] = old.edgePrior[e]!;
        let last = NONE;
        for (let c = old.edgeChild[e]!; c >= 0; c = old.nextOutcome[c]!) {
          const nc = newIndex.get(c);
          if (nc === undefined) continue;
          tree.parentEdge[nc] = ne;
          if (last === NONE) tree.edgeChild[ne] = nc;
          else tree.nextOutcome[last] = nc;
          last = nc;
        }
      }
      tree.flags[n] = old.flags[node]!;
    }
    if (!old.openLoop) continue;
    // Realizations keep their cache order.
    const held: number[] = [];
    for (let r = old.firstReal[node]!; r !== NONE; r = old.realNext[r]!) held.push(r);
    for (let i = held.length - 1; i >= 0; i--) {
      const r = held[i]!;
      const nr = tree.addRealization(n, old.realStates[r] as S, old.realReward[r]!, old.realTerminal[r] === 1);
      tree.realVisits[nr] = old.realVisits[r]!;
      tree.realValue[nr] = old.realValue[r]!;
    }
  }
  return tree;
}
