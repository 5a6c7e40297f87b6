import { LOOP_OPEN, LOOP_SAMPLED, RULE_GUMBEL } from "./config.js";
import type { SearchContext } from "./context.js";
import { gumbelFinalIndex } from "./gumbel.js";
import { bestRealization } from "./realizations.js";
import { FLAG_TERMINAL, NONE } from "./tree.js";
import type { ActionStats, ChosenRealization, SearchResult, StopReason } from "./types.js";

const TINY = 1.1754943508222875e-38;

/**
 * The visit policy π(a) ∝ N(a)^(1/T); T = 0 (or a T so small that 1/T overflows) puts all mass on the most
 * visited (split among ties), its limit as T → 0.
 */
export function visitPolicy(visits: ArrayLike<number>, temperature: number): number[] {
  if (!(temperature >= 0)) throw new RangeError(`visitPolicy: temperature must be ≥ 0, got ${temperature}`);
  const k = visits.length;
  const out = new Array<number>(k).fill(0);
  let max = 0;
  for (let i = 0; i < k; i++) if (visits[i]! > max) max = visits[i]!;
  if (max === 0) return out.fill(k > 0 ? 1 / k : 0);
  if (!(1 / temperature < Infinity)) {
    let ties = 0;
    for (let i = 0; i < k; i++) if (visits[i] === max) ties++;
    for (let i = 0; i < k; i++) out[i] = visits[i] === max ? 1 / ties : 0;
    return out;
  }
  let z = 0;
  for (let i = 0; i < k; i++) {
    // Scaled by the maximum so large exponents cannot overflow.
    out[i] = Math.pow(visits[i]! / max, 1 / temperature);
    z += out[i]!;
  }
  for (let i = 0; i < k; i++) out[i] = out[i]! / z;
  return out;
}

function chooseIndex<S, A>(engine: SearchContext<S, A>, stats: ActionStats<A>[], policy: number[]): number {
  const cfg = engine.cfg;
  const k = stats.length;
  switch (cfg.finalChoice) {
    case "bestQ": {
      let best = -1;
      for (let i = 0; i < k; i++) {
        const s = stats[i]!;
        if (s.visits === 0) continue;
        const b = best >= 0 ? stats[best]! : undefined;
        if (!b || s.q > b.q || (s.q === b.q && s.visits > b.visits)) best = i;
      }
      if (best >= 0) return best;
      break;
    }
    case "sample": {
      let u = engine.rng.next();
      for (let i = 0; i < k; i++) {
        u -= policy[i]!;
        if (u < 0) return i;
      }
      for (let i = k - 1; i >= 0; i--) if (policy[i]! > 0) return i;
      return 0;
    }
    case "gumbel": {
      const tree = engine.tree;
      engine.selector.completeQ(tree, engine.root);
      const first = tree.firstEdge[engine.root]!;
      const logits = stats.map((_, i) => Math.log(Math.max(TINY, tree.edgePrior[first + i]!)));
      // Visits of this search only: after tree reuse the halving schedule counted from the root's starting visits.
      const base = engine.selector.rootBase;
      const visits = stats.map((s, i) => s.visits - (i < base.length ? base[i]! : 0));
      return gumbelFinalIndex(engine.selector.rootGumbel, logits, engine.selector.q.subarray(0, k), visits);
    }
    default:
      break;
  }
  let best = 0;
  for (let i = 1; i < k; i++) {
    const s = stats[i]!;
    const b = stats[best]!;
    if (s.visits > b.visits || (s.visits === b.visits && s.visits > 0 && s.q > b.q) || (b.visits === 0 && s.visits === 0 && s.prior > b.prior)) best = i;
  }
  return best;
}

function improvedPolicy<S, A>(engine: SearchContext<S, A>): number[] {
  const tree = engine.tree;
  const root = engine.root;
  const first = tree.firstEdge[root]!;
  const k = tree.edgeCount[root]!;
  engine.selector.completeQ(tree, root);
  const logits = new Array<number>(k);
  let hi = -Infinity;
  for (let i = 0; i < k; i++) {
    logits[i] = Math.log(Math.max(TINY, tree.edgePrior[first + i]!)) + engine.selector.q[i]!;
    if (logits[i]! > hi) hi = logits[i]!;
  }
  let z = 0;
  for (let i = 0; i < k; i++) {
    logits[i] = Math.exp(logits[i]! - hi);
    z += logits[i]!;
  }
  return logits.map((w) => w / z);
}

function chosenRealization<S, A>(engine: SearchContext<S, A>, edge: number): ChosenRealization<S> | undefined {
  const tree = engine.tree;
  let child = tree.edgeChild[edge]!;
  if (child < 0) return undefined;
  if (engine.cfg.loop === LOOP_OPEN) {
    const r = bestRealization(tree, child, engine.cfg.childFactor);
    if (r === NONE) return undefined;
    return { state: tree.realStates[r] as S, reward: tree.realReward[r]!, value: tree.realizationValue(r), visits: tree.realVisits[r]! };
  }
  if (engine.cfg.loop === LOOP_SAMPLED) {
    for (let o = tree.nextOutcome[child]!; o >= 0; o = tree.nextOutcome[o]!) if (tree.visits[o]! > tree.visits[child]!) child = o;
  }
  return { state: tree.states[child]!, reward: tree.reward[child]!, value: tree.nodeValue(child), visits: tree.visits[child]! };
}

/** @internal The result the engine's current root statistics give. */
export function buildResult<S, A>(engine: SearchContext<S, A>, iterations: number, stopReason: StopReason, elapsedMs: number): SearchResult<S, A> {
  const tree = engine.tree;
  const root = engine.root;
  const first = tree.firstEdge[root]!;
  const k = tree.edgeCount[root]!;
  const actions = tree.actions[root];
  if (!actions || k === 0) throw new Error("mcts: the root has no searched actions yet; run a search first");
  const visits = new Array<number>(k);
  for (let i = 0; i < k; i++) visits[i] = tree.edgeVisits[first + i]!;
  const policy = visitPolicy(visits, engine.cfg.temperature);
  const stats: ActionStats<A>[] = [];
  for (let i = 0; i < k; i++) {
    const e = first + i;
    const n = tree.edgeVisits[e]!;
    stats.push({ action: actions[i]!, visits: n, q: n > 0 ? tree.edgeValue[e]! / n : NaN, prior: tree.edgePrior[e]!, policy: policy[i]! });
  }
  const index = chooseIndex(engine, stats, policy);
  const result: SearchResult<S, A> = {
    action: actions[index]!,
    actionIndex: index,
    actions: stats,
    rootValue: tree.nodeValue(root),
    rootVisits: tree.visits[root]!,
    iterations,
    stopReason,
    elapsedMs,
    nodeCount: tree.nodeCount,
  };
  if (engine.cfg.root.code === RULE_GUMBEL) result.improvedPolicy = improvedPolicy(engine);
  const realization = chosenRealization(engine, first + index);
  if (realization) result.realization = realization;
  return result;
}

/** Options of {@link Mcts.trace}. */
export interface TraceOptions<S, A> {
  /** Turns an action into JSON (default: the action itself). */
  describeAction?: (action: A) => unknown;
  /** Turns a state into JSON; states are left out when absent. */
  describeState?: (state: S) => unknown;
  /** Stop after this many nodes (breadth-first). */
  maxNodes?: number;
}

/** One edge (action) of a traced node. */
export interface TraceEdge {
  action: unknown;
  prior: number;
  visits: number;
  /** Mean return from the node's perspective; null when unvisited. */
  q: number | null;
  /** Trace ids of the stored outcomes (one in deterministic and open loop). */
  children: number[];
}

/** One realization (open loop) of a traced node. */
export interface TraceRealization {
  visits: number;
  value: number;
  reward: number;
  terminal: boolean;
  state?: unknown;
}

/** One traced node; ids are breadth-first from the root (0). */
export interface TraceNode {
  id: number;
  parent: number | null;
  action: unknown;
  depth: number;
  visits: number;
  value: number;
  rawValue: number;
  reward: number;
  terminal: boolean;
  state?: unknown;
  edges: TraceEdge[];
  realizations?: TraceRealization[];
}

/** The whole tree as JSON: for visualisation and for distilling value models. */
export interface SearchTrace {
  version: 1;
  loop: "closed" | "open";
  players: 1 | 2;
  discount: number;
  nodeCount: number;
  nodes: TraceNode[];
}

/** @internal Serialises the engine's tree breadth-first from the root. */
export function buildTrace<S, A>(engine: SearchContext<S, A>, options: TraceOptions<S, A>): SearchTrace {
  const tree = engine.tree;
  const describeAction = options.describeAction ?? ((a: A) => a as unknown);
  const limit = options.maxNodes ?? Infinity;
  const nodes: TraceNode[] = [];
  const queue: { node: number; parent: number | null; action: unknown; depth: number }[] = [
    { node: engine.root, parent: null, action: null, depth: 0 },
  ];
  for (let head = 0; head < queue.length && nodes.length < limit; head++) {
    const { node, parent, action, depth } = queue[head]!;
    const id = nodes.length;
    const traced: TraceNode = {
      id,
      parent,
      action,
      depth,
      visits: tree.visits[node]!,
      value: tree.nodeValue(node),
      rawValue: tree.rawValue[node]!,
      reward: tree.reward[node]!,
      terminal: (tree.flags[node]! & FLAG_TERMINAL) !== 0,
      edges: [],
    };
    if (options.describeState) traced.state = options.describeState(tree.states[node]!);
    const first = tree.firstEdge[node]!;
    const actions = tree.actions[node];
    for (let i = 0; actions && i < tree.edgeCount[node]!; i++) {
      const e = first + i;
      const n = tree.edgeVisits[e]!;
      const described = describeAction(actions[i]!);
      const children: number[] = [];
      for (let c = tree.edgeChild[e]!; c >= 0; c = engine.cfg.loop === LOOP_SAMPLED ? tree.nextOutcome[c]! : NONE) {
        children.push(queue.length);
        queue.push({ node: c, parent: id, action: described, depth: depth + 1 });
      }
      traced.edges.push({ action: described, prior: tree.edgePrior[e]!, visits: n, q: n > 0 ? tree.edgeValue[e]! / n : null, children });
    }
    if (engine.cfg.loop === LOOP_OPEN) {
      traced.realizations = [];
      for (let r = tree.firstReal[node]!; r !== NONE; r = tree.realNext[r]!) {
        const item: TraceRealization = {
          visits: tree.realVisits[r]!,
          value: tree.realizationValue(r),
          reward: tree.realReward[r]!,
          terminal: tree.realTerminal[r] === 1,
        };
        if (options.describeState) item.state = options.describeState(tree.realStates[r] as S);
        traced.realizations.push(item);
      }
    }
    nodes.push(traced);
  }
  // Children beyond the limit are dropped from the edges' lists.
  if (nodes.length < queue.length) for (const n of nodes) for (const e of n.edges) e.children = e.children.filter((c) => c < nodes.length);
  return {
    version: 1,
    loop: engine.cfg.loop === LOOP_OPEN ? "open" : "closed",
    players: engine.cfg.players,
    discount: engine.cfg.discount,
    nodeCount: nodes.length,
    nodes,
  };
}
