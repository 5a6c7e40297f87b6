import { LOOP_DETERMINISTIC, RULE_UCT, T_NONE, type Config } from "./config.js";
import type { SearchContext } from "./context.js";
import { stepSync } from "./answer-sync.js";
import { addChild, expandNow, randomRolloutNow, type Simulation } from "./simulation.js";
import { FLAG_EXPANDED, FLAG_TERMINAL, NONE } from "./tree.js";

/**
 * @internal Whether `simulateUctSync` may stand in for the general simulation in a synchronous search: UCT at the
 * root and below, no Q transform, a closed loop with deterministic outcomes, mean backup of summed returns and one candidate per
 * expansion. It then builds the identical tree (the bench measures what it gains).
 */
export function uctFastPathApplies<S, A>(cfg: Config<S, A>): boolean {
  return (
    cfg.loop === LOOP_DETERMINISTIC &&
    cfg.transform === T_NONE &&
    cfg.rootTransform === T_NONE &&
    cfg.root.code === RULE_UCT &&
    cfg.interior.code === RULE_UCT &&
    !cfg.backupMax &&
    !cfg.meanReturns &&
    cfg.expansionCandidates === 1 &&
    cfg.rolloutPolicy === undefined &&
    !cfg.rolloutMaxReward
  );
}

/**
 * @internal One synchronous simulation specialised for plain UCT on a deterministic closed loop (see
 * {@link uctFastPathApplies}). The descent reads the tree's typed arrays directly, with no per-child calls, and
 * calls the model only to expand a node or step into a new child; the backup is inlined. Every choice and every
 * floating-point operation is the general path's, in the same order, so the resulting tree is identical.
 */
export function simulateUctSync<S, A>(engine: SearchContext<S, A>, sim: Simulation<S, A>): void {
  const cfg = engine.cfg;
  const maxDepth = cfg.maxDepth;
  const rootC = cfg.root.c;
  const interiorC = cfg.interior.c;
  const tree = engine.tree;
  let node = engine.root;
  let depth = 0;
  let len = 0;
  let leaf = NONE;
  let value = 0;
  // The reward of the last edge on the path when it led to no stored node (a new child beyond the node cap).
  let lastReward = 0;
  descend: for (;;) {
    // The arrays are re-read after every model call: expanding or adding a node may grow them.
    const flags = tree.flags;
    const visits = tree.visits;
    const firstEdge = tree.firstEdge;
    const edgeCount = tree.edgeCount;
    const edgeVisits = tree.edgeVisits;
    const edgeValue = tree.edgeValue;
    const edgePrior = tree.edgePrior;
    const edgeChild = tree.edgeChild;
    let pathNode = sim.nodes;
    let pathEdge = sim.edges;
    for (;;) {
      const flag = flags[node]!;
      if ((flag & FLAG_TERMINAL) !== 0) {
        leaf = node;
        break descend;
      }
      if (depth >= maxDepth) {
        leaf = node;
        value = randomRolloutNow(engine, tree.states[node]!);
        break descend;
      }
      if ((flag & FLAG_EXPANDED) === 0) break;
      const first = firstEdge[node]!;
      const end = first + edgeCount[node]!;
      if (first === end) {
        leaf = node;
        break descend;
      }
      // UCB1 on mean returns; unvisited edges first (highest prior, then lowest index), ties to the higher prior.
      const c = depth === 0 ? rootC : interiorC;
      const logN = Math.log(Math.max(1, visits[node]!));
      let best = first;
      let bestScore = -Infinity;
      let unvisited = -1;
      let unvisitedPrior = -1;
      for (let e = first; e < end; e++) {
        const n = edgeVisits[e]!;
        if (n === 0) {
          const p = edgePrior[e]!;
          if (p > unvisitedPrior) {
            unvisitedPrior = p;
            unvisited = e;
          }
          continue;
        }
        const score = edgeValue[e]! / n + c * Math.sqrt(logN / n);
        if (score > bestScore || (score === bestScore && edgePrior[e]! > edgePrior[best]!)) {
          bestScore = score;
          best = e;
        }
      }
      const edge = unvisited >= 0 ? unvisited : best;
      if (len === pathNode.length) {
        sim.len = len;
        sim.push(node, edge, NONE, 0);
        pathNode = sim.nodes;
        pathEdge = sim.edges;
      } else {
        pathNode[len] = node;
        pathEdge[len] = edge;
      }
      depth++;
      const child = edgeChild[edge]!;
      len++;
      if (child >= 0) {
        node = child;
        continue;
      }
      // A new node behind `edge`: step, store it (unless the node cap is reached), evaluate it.
      const action = tree.actions[node]![edge - first]!;
      const step = stepSync(engine, tree.states[node]!, action);
      const next = step.state;
      const terminal = step.terminal === true;
      lastReward = step.reward;
      sim.stepState = next;
      sim.stepReward = lastReward;
      sim.stepTerminal = terminal;
      leaf = addChild(engine, sim, edge, undefined);
      if (leaf >= 0 && cfg.expandLeaves && !terminal) expandNow(engine, leaf, next);
      value = terminal ? 0 : randomRolloutNow(engine, next);
      if (leaf >= 0) tree.rawValue[leaf] = value;
      break descend;
    }
    expandNow(engine, node, tree.states[node]!);
  }
  sim.created = NONE;
  // Backup, as `backup` in backup.ts does it for a closed loop without min-max tracking.
  const factor = cfg.childFactor;
  const visits = tree.visits;
  const valueSum = tree.valueSum;
  const edgeVisits = tree.edgeVisits;
  const edgeValue = tree.edgeValue;
  const pathNode = sim.nodes;
  const pathEdge = sim.edges;
  const reward = tree.reward;
  let g = value;
  if (leaf >= 0) {
    visits[leaf]! += 1;
    valueSum[leaf]! += g;
  }
  // The reward of path edge i is stored on the node it leads to: path node i + 1, or the leaf for the last edge.
  let below = leaf;
  for (let i = len - 1; i >= 0; i--) {
    g = (below >= 0 ? reward[below]! : lastReward) + factor * g;
    const e = pathEdge[i]!;
    edgeVisits[e]! += 1;
    edgeValue[e]! += g;
    const p = pathNode[i]!;
    visits[p]! += 1;
    valueSum[p]! += g;
    below = p;
  }
}
