import { setImmediate as nextMacrotask } from "node:timers/promises";
import type { Rng } from "@foresight/dialogue";
import type { SearchTrace, TraceNode } from "@foresight/mcts-core";
import type { PlanScheduler } from "../types.js";

/**
 * What SCOPE's search needs from a semantic world: sampled actions at a state (the action model s̃ → ã) and sampled
 * transitions with their step rewards (the transition model (s̃, ã) → s̃′ and the reward model). Every call is
 * batched over rows; `SemanticWorldModel` of `@foresight/semantic-models` implements it, and so can a hand-built
 * world in a test.
 */
export interface SemanticSearchWorld {
  readonly dim: number;
  /** m sampled actions per state: [rows·m, dim]. */
  sampleActions(states: Float32Array, rows: number, m: number, rng: Rng): Promise<Float32Array>;
  /** One sampled next state and its step reward per (state, action) row. */
  step(states: Float32Array, actions: Float32Array, rows: number, rng: Rng): Promise<{ next: Float32Array; rewards: Float32Array }>;
}

/** SCOPE's search settings (Alg. 1 and A.11 defaults). */
export interface SemanticSearchSettings {
  /** UCT exploration weight λ on scaled rewards (paper: 0.1). */
  lambda: number;
  /** Discount γ (paper: 0.9). */
  gamma: number;
  /** Search depth D: agent–human exchanges simulated from the root, tree and rollout together (paper: 4–6). */
  depth: number;
  /** Actions sampled from the action model at each new state (the branching factor m, paper: 5). */
  branching: number;
  /** Rewards are multiplied by this inside the search (the paper scales rewards down so that λ = 0.1 fits). */
  rewardScale: number;
  /** Progressive widening of sampled next states: a new one while an action has fewer than k·n^α (k, α). */
  wideningK: number;
  wideningAlpha: number;
  /** Simulations in flight together, whose world-model calls are batched (rows per call). */
  batch: number;
  /**
   * A.11's replay buffer: every backed-up (state, action, return) is stored (the latest `replayCapacity`), and after
   * each wave `replaySamples` stored experiences per simulation, drawn uniformly, update their Q again with Alg. 1's
   * running-mean rule Q ← Q(1 − 1/n) + R̂/n (n counts real and replayed updates; visit counts and UCT's N are not
   * changed), so early returns keep their weight as the tree's later returns arrive. 0: off (the default).
   */
  replaySamples: number;
  /** Experiences the replay buffer keeps (the most recent). */
  replayCapacity: number;
}

/** The paper's settings; `depth` 6 as in its timing (A.10), batches of 128 rows. */
export const DEFAULT_SEMANTIC_SEARCH: SemanticSearchSettings = {
  lambda: 0.1,
  gamma: 0.9,
  depth: 6,
  branching: 5,
  rewardScale: 0.01,
  wideningK: 1,
  wideningAlpha: 0.5,
  batch: 128,
  replaySamples: 0,
  replayCapacity: 4096,
};

/** When the search stops: whichever ends first. */
export interface SemanticSearchBudget {
  iterations?: number;
  timeMs?: number;
  signal?: AbortSignal;
  /** Each wave runs in a turn of this scheduler (the server's, shared by the plans in flight). */
  scheduler?: PlanScheduler;
  /**
   * The pace of earlier searches of the same world, read to size this search's first wave to its time budget and
   * updated after each wave; without it the first wave is a full `batch` (the pace is not known yet).
   */
  pace?: SearchPace;
}

/** Wall ms per simulation of a search's last wave, carried from one search to the next (0: none measured yet). */
export interface SearchPace {
  msPerSimulation: number;
}

/** Root statistics of one candidate: visits and Q in the reward's own units (the scale undone). */
export interface RootActionStats {
  visits: number;
  q: number | null;
}

/** What a search returns. */
export interface SemanticSearchResult {
  best: number;
  actions: RootActionStats[];
  simulations: number;
  /** Batched world-model calls and the rows they carried. */
  modelCalls: number;
  modelRows: number;
  nodes: number;
  wallMs: number;
  stopReason: "iterations" | "time" | "aborted";
  /**
   * The search tree in mcts-core's trace format (breadth-first, at most `maxNodes` nodes), built on demand; root
   * edges are described by `describeRootAction`, deeper (sampled) actions by their index.
   */
  trace(describeRootAction: (index: number) => unknown, maxNodes?: number): SearchTrace;
}

interface Child {
  node: SearchNode;
  reward: number;
  visits: number;
  /** Sum of the scaled returns from this state on (for the trace only). */
  valueSum: number;
}

interface Edge {
  /** Offset of the action vector in the node's `actions`. */
  visits: number;
  valueSum: number;
  /** With the replay buffer: Q as the running mean of real and replayed returns, and how many updates it has had. */
  q: number;
  updates: number;
  inFlight: number;
  pendingChildren: number;
  children: Child[];
}

interface SearchNode {
  state: Float32Array;
  depth: number;
  actions: Float32Array;
  edges: Edge[];
  visits: number;
  inFlight: number;
}

const noTurn = () => {};

/** One simulation in flight: the path so far and where it stopped. */
interface Pending {
  path: Array<{ node: SearchNode; edge: Edge; child: Child }>;
  /** The node and edge to expand (a new sampled next state), or none at the depth limit. */
  expand?: { node: SearchNode; edge: Edge; action: number };
  child?: Child;
  rolloutReturn: number;
}

function newNode(state: Float32Array, depth: number, actions: Float32Array, m: number): SearchNode {
  return { state, depth, actions, edges: Array.from({ length: m }, () => ({ visits: 0, valueSum: 0, q: 0, updates: 0, inFlight: 0, pendingChildren: 0, children: [] })), visits: 0, inFlight: 0 };
}

function validate(settings: SemanticSearchSettings, world: SemanticSearchWorld, root: Float32Array, candidates: Float32Array): number {
  const d = world.dim;
  if (!Number.isInteger(settings.depth) || settings.depth < 1) throw new RangeError(`depth must be a positive integer, got ${settings.depth}`);
  if (!Number.isInteger(settings.branching) || settings.branching < 1) throw new RangeError(`branching must be a positive integer, got ${settings.branching}`);
  if (!Number.isInteger(settings.batch) || settings.batch < 1) throw new RangeError(`batch must be a positive integer, got ${settings.batch}`);
  if (!(settings.gamma >= 0 && settings.gamma <= 1)) throw new RangeError(`gamma must be in [0, 1], got ${settings.gamma}`);
  if (!(settings.lambda >= 0)) throw new RangeError(`lambda must be ≥ 0, got ${settings.lambda}`);
  if (!(settings.rewardScale > 0)) throw new RangeError(`rewardScale must be > 0, got ${settings.rewardScale}`);
  if (!(settings.wideningK > 0) || !(settings.wideningAlpha >= 0 && settings.wideningAlpha <= 1)) throw new RangeError("widening needs k > 0 and α in [0, 1]");
  if (!(settings.replaySamples >= 0) || !Number.isFinite(settings.replaySamples)) throw new RangeError(`replaySamples must be ≥ 0, got ${settings.replaySamples}`);
  if (!Number.isInteger(settings.replayCapacity) || settings.replayCapacity < 1) throw new RangeError(`replayCapacity must be a positive integer, got ${settings.replayCapacity}`);
  if (root.length !== d) throw new RangeError(`root state has ${root.length} values, the world has ${d} dims`);
  if (candidates.length === 0 || candidates.length % d !== 0) throw new RangeError(`candidate actions must be [m, ${d}], got ${candidates.length} values`);
  return candidates.length / d;
}

/**
 * SCOPE's semantic MCTS (Alg. 1): from s̃_init with the candidates' action vectors, select by UCT
 * Q + λ·√(ln N(s̃) / N(s̃, ã)) (unexplored actions first, chosen at random), expand by sampling s̃′ from the
 * transition model (progressive widening: a new s̃′ while the action has fewer than k·n^α, else an existing one in
 * proportion to its visits), give each new state m actions sampled from the action model, roll out with sampled
 * actions to depth D, and back up the discounted scaled return as a running mean. `batch` simulations are in
 * flight at once (virtual visits keep them apart); their expansions and rollout steps share world-model calls.
 * With `replaySamples` > 0, Q is also updated from a replay buffer of past returns (A.11; see the setting). Under
 * a time budget a wave shrinks to the simulations the time left fits (at the previous wave's pace, or `budget.pace`'s
 * for the first), so the last one does not overrun it; an iteration budget alone keeps every wave at `batch`.
 * Makes no LLM call. Returns the root candidate with the largest Q.
 */
export async function semanticSearch(
  world: SemanticSearchWorld,
  rootState: Float32Array,
  candidateActions: Float32Array,
  settings: SemanticSearchSettings,
  budget: SemanticSearchBudget,
  rng: Rng,
): Promise<SemanticSearchResult> {
  const started = performance.now();
  const m = validate(settings, world, rootState, candidateActions);
  const d = world.dim;
  if (budget.iterations === undefined && budget.timeMs === undefined && budget.signal === undefined) throw new RangeError("semanticSearch needs a budget (iterations, timeMs or signal)");
  const maxIterations = budget.iterations ?? Infinity;
  const deadline = budget.timeMs === undefined ? Infinity : started + budget.timeMs;
  const root = newNode(rootState, 0, candidateActions, m);
  const { gamma, lambda, depth: maxDepth, branching } = settings;
  let simulations = 0;
  let modelCalls = 0;
  let modelRows = 0;
  let nodes = 1;
  let stopReason: SemanticSearchResult["stopReason"] = "iterations";
  const replayOn = settings.replaySamples > 0;
  /** Q of an edge in scaled units (no in-flight visits): the mean return, or the replay-updated running mean. */
  const edgeQ = (e: Edge): number => (replayOn ? e.q : e.valueSum / e.visits);
  const replay = { buffer: [] as Array<{ edge: Edge; value: number }>, next: 0, owed: 0 };
  const updateQ = (edge: Edge, value: number) => {
    edge.updates++;
    edge.q += (value - edge.q) / edge.updates;
  };
  const outOfBudget = (): SemanticSearchResult["stopReason"] | undefined => (budget.signal?.aborted ? "aborted" : performance.now() >= deadline ? "time" : undefined);

  const selectEdge = (node: SearchNode): number => {
    const unexplored: number[] = [];
    node.edges.forEach((e, i) => {
      if (e.visits + e.inFlight === 0) unexplored.push(i);
    });
    if (unexplored.length > 0) return unexplored[rng.int(unexplored.length)] as number;
    const total = Math.log(Math.max(node.visits + node.inFlight, 1));
    let best = 0;
    let bestScore = -Infinity;
    node.edges.forEach((e, i) => {
      const n = e.visits + e.inFlight;
      // In-flight visits count as returns of 0 (virtual loss), so simulations of one wave spread out.
      const q = e.visits > 0 ? (replayOn ? (e.q * e.visits) / n : e.valueSum / n) : 0;
      const score = q + lambda * Math.sqrt(total / n);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    return best;
  };

  const selectOne = (): Pending => {
    const pending: Pending = { path: [], rolloutReturn: 0 };
    let node = root;
    while (node.depth < maxDepth) {
      const index = selectEdge(node);
      const edge = node.edges[index] as Edge;
      node.inFlight++;
      edge.inFlight++;
      const n = edge.visits + edge.inFlight;
      // A new s̃′ while widening allows one, or when the action's only outcomes are still being sampled in this wave.
      if (edge.children.length === 0 || edge.children.length + edge.pendingChildren < Math.ceil(settings.wideningK * n ** settings.wideningAlpha)) {
        edge.pendingChildren++;
        pending.expand = { node, edge, action: index };
        return pending;
      }
      let pick = rng.next() * edge.children.reduce((s, c) => s + c.visits, 0);
      let child = edge.children[edge.children.length - 1] as Child;
      for (const c of edge.children) {
        pick -= c.visits;
        if (pick < 0) {
          child = c;
          break;
        }
      }
      pending.path.push({ node, edge, child });
      node = child.node;
    }
    return pending;
  };

  // Wall time per simulation of the last wave (this search's, or an earlier one's for the first): near a time budget,
  // a wave shrinks to what still fits, so a plan whose first turn comes late does not start a full wave past it.
  let msPerSimulation = budget.pace?.msPerSimulation ?? 0;
  while (simulations < maxIterations) {
    // A wave runs in a turn of the scheduler, or after a macrotask without one, so that other requests (concurrent
    // plans) run whatever the world's calls do; neither consumes randomness, so iteration budgets give the same result.
    const endTurn = budget.scheduler ? await budget.scheduler.turn() : simulations > 0 ? await nextMacrotask().then(() => noTurn) : noTurn;
    const stop = outOfBudget();
    if (stop) {
      stopReason = stop;
      endTurn();
      break;
    }
    const waveStarted = performance.now();
    const fitting = msPerSimulation > 0 ? Math.max(1, Math.floor((deadline - waveStarted) / msPerSimulation)) : Infinity;
    const wave = Math.min(settings.batch, maxIterations - simulations, fitting);
    const flights: Pending[] = [];
    for (let i = 0; i < wave; i++) flights.push(selectOne());
    const expanding = flights.filter((f) => f.expand);
    const rows = expanding.length;
    if (rows > 0) {
      // Expansion: one transition call for every new s̃′, one action call for the m actions of each.
      const states = new Float32Array(rows * d);
      const actions = new Float32Array(rows * d);
      expanding.forEach((f, r) => {
        const { node, action } = f.expand!;
        states.set(node.state, r * d);
        actions.set(node.actions.subarray(action * d, (action + 1) * d), r * d);
      });
      const stepped = await world.step(states, actions, rows, rng);
      modelCalls++;
      modelRows += rows;
      const childDepth = expanding.map((f) => f.expand!.node.depth + 1);
      const open = expanding.map((_, r) => r).filter((r) => (childDepth[r] as number) < maxDepth);
      const openStates = new Float32Array(open.length * d);
      open.forEach((r, i) => openStates.set(stepped.next.subarray(r * d, (r + 1) * d), i * d));
      const childActions = open.length > 0 ? await world.sampleActions(openStates, open.length, branching, rng) : new Float32Array(0);
      if (open.length > 0) {
        modelCalls++;
        modelRows += open.length;
      }
      const actionsOf = new Map<number, Float32Array>();
      open.forEach((r, i) => actionsOf.set(r, childActions.subarray(i * branching * d, (i + 1) * branching * d)));
      expanding.forEach((f, r) => {
        const { edge } = f.expand!;
        const state = stepped.next.slice(r * d, (r + 1) * d);
        const node = newNode(state, childDepth[r] as number, actionsOf.get(r) ?? new Float32Array(0), actionsOf.has(r) ? branching : 0);
        nodes++;
        const child: Child = { node, reward: (stepped.rewards[r] as number) * settings.rewardScale, visits: 0, valueSum: 0 };
        edge.pendingChildren--;
        edge.children.push(child);
        f.path.push({ node: f.expand!.node, edge, child });
        f.child = child;
      });
      // Rollouts from the new states, in lockstep: one action call and one transition call per depth level.
      let live = expanding.map((f, r) => ({ f, depth: childDepth[r] as number, state: (f.child as Child).node.state, discount: 1 })).filter((x) => x.depth < maxDepth);
      while (live.length > 0) {
        // Out of time or aborted mid-wave: the rollouts end here (truncated) and the wave is backed up as it is, so a
        // plan ends within one world-model call of its budget even when a wave is slow (many concurrent plans).
        const stop = outOfBudget();
        if (stop) {
          stopReason = stop;
          break;
        }
        const n = live.length;
        const current = new Float32Array(n * d);
        live.forEach((x, i) => current.set(x.state, i * d));
        const sampled = await world.sampleActions(current, n, 1, rng);
        const next = await world.step(current, sampled, n, rng);
        modelCalls += 2;
        modelRows += 2 * n;
        live.forEach((x, i) => {
          x.f.rolloutReturn += x.discount * (next.rewards[i] as number) * settings.rewardScale;
          x.discount *= gamma;
          x.depth++;
          x.state = next.next.subarray(i * d, (i + 1) * d);
        });
        live = live.filter((x) => x.depth < maxDepth);
      }
    }
    // Backup: G = r + γ·G from the deepest edge up; Q is the running mean of G (Alg. 1 line 9).
    for (const f of flights) {
      let g = f.rolloutReturn;
      for (let i = f.path.length - 1; i >= 0; i--) {
        const step = f.path[i]!;
        step.child.valueSum += g;
        g = step.child.reward + gamma * g;
        step.edge.visits++;
        step.edge.valueSum += g;
        if (replayOn) {
          updateQ(step.edge, g);
          const experience = { edge: step.edge, value: g };
          if (replay.buffer.length < settings.replayCapacity) replay.buffer.push(experience);
          else replay.buffer[replay.next] = experience;
          replay.next = (replay.next + 1) % settings.replayCapacity;
        }
        step.node.visits++;
        step.child.visits++;
        step.edge.inFlight--;
        step.node.inFlight--;
      }
      simulations++;
    }
    if (replayOn) {
      // Fractional rates carry over between waves, so `replaySamples` is the long-run number per simulation.
      replay.owed += flights.length * settings.replaySamples;
      for (; replay.owed >= 1; replay.owed--) {
        const past = replay.buffer[rng.int(replay.buffer.length)]!;
        updateQ(past.edge, past.value);
      }
    }
    msPerSimulation = (performance.now() - waveStarted) / wave;
    if (budget.pace) budget.pace.msPerSimulation = msPerSimulation;
    endTurn();
  }
  if (simulations >= maxIterations) stopReason = "iterations";
  const actions = root.edges.map((e) => ({ visits: e.visits, q: e.visits > 0 ? edgeQ(e) / settings.rewardScale : null }));
  let best = 0;
  actions.forEach((a, i) => {
    const current = actions[best] as RootActionStats;
    if (a.q !== null && (current.q === null || a.q > current.q)) best = i;
  });
  const trace = (describeRootAction: (index: number) => unknown, maxNodes = Infinity) => traceTree(root, settings, simulations, describeRootAction, maxNodes, edgeQ);
  return { best, actions, simulations, modelCalls, modelRows, nodes, wallMs: performance.now() - started, stopReason, trace };
}

/** Serialises a search tree breadth-first as mcts-core's `SearchTrace` (values and rewards in the reward's units). */
function traceTree(root: SearchNode, settings: SemanticSearchSettings, simulations: number, describeRootAction: (index: number) => unknown, maxNodes: number, edgeQ: (edge: Edge) => number): SearchTrace {
  const scale = settings.rewardScale;
  const mean = (sum: number, n: number) => (n > 0 ? sum / n / scale : 0);
  const rootValue = root.edges.reduce((s, e) => s + e.valueSum, 0);
  const queue: { node: SearchNode; parent: number | null; action: unknown; child?: Child }[] = [{ node: root, parent: null, action: null }];
  const nodes: TraceNode[] = [];
  for (let head = 0; head < queue.length && nodes.length < maxNodes; head++) {
    const { node, parent, action, child } = queue[head]!;
    const id = nodes.length;
    const visits = child ? child.visits : simulations;
    const value = child ? mean(child.valueSum, child.visits) : mean(rootValue, simulations);
    const traced: TraceNode = { id, parent, action, depth: node.depth, visits, value, rawValue: value, reward: child ? child.reward / scale : 0, terminal: node.depth >= settings.depth, edges: [] };
    node.edges.forEach((edge, i) => {
      const described = node === root ? describeRootAction(i) : { sampledAction: i };
      const children = edge.children.map((c) => {
        queue.push({ node: c.node, parent: id, action: described, child: c });
        return queue.length - 1;
      });
      traced.edges.push({ action: described, prior: 1 / node.edges.length, visits: edge.visits, q: edge.visits > 0 ? edgeQ(edge) / scale : null, children });
    });
    nodes.push(traced);
  }
  // Children beyond the limit are dropped from the edges' lists.
  if (nodes.length < queue.length) for (const n of nodes) for (const e of n.edges) e.children = e.children.filter((c) => c < nodes.length);
  return { version: 1, loop: "closed", players: 1, discount: settings.gamma, nodeCount: nodes.length, nodes };
}
