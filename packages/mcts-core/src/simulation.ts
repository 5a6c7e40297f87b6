import { backup } from "./backup.js";
import { LOOP_DETERMINISTIC, LOOP_OPEN, LOOP_SAMPLED, MctsConfigError } from "./config.js";
import type { SearchContext } from "./context.js";
import {
  evictToCapacity,
  findOutcome,
  outcomeCount,
  softmaxRealization,
  uniformRealization,
  visitWeightedOutcome,
} from "./realizations.js";
import { actionsSync, answerSync, callSync, evaluateSync, stepSync } from "./answer-sync.js";
import { newRequest, REQ_ACTIONS, REQ_CALL, REQ_EVALUATE, REQ_STEP, REQ_STEPS, REQ_WAIT, type Request } from "./requests.js";
import { FLAG_EXPANDED, FLAG_TERMINAL, FLAG_UNEVALUATED, MctsModelError, NONE, normalisePriors } from "./tree.js";
import type { MaybePromise, StepResult } from "./types.js";

/** @internal A simulation's program: yields model requests, receives their answers, returns a value. */
export type SimProgram<S, A, T = void> = Generator<Request<S, A>, T, unknown>;

/**
 * @internal Coordination of the simulations in flight of one asynchronous search: nodes being expanded, edges
 * whose new child is being stepped (others wait for it) and open-loop realizations being generated per node.
 */
export interface InFlight {
  expanding: Map<number, Promise<void>>;
  stepping: Map<number, Promise<void>>;
  generating: Map<number, number>;
}

/**
 * @internal One simulation's path and scratch state (reused across simulations by the synchronous search). With
 * `sync`, requests are answered inline by synchronous model calls instead of being yielded, so a synchronous
 * simulation runs without suspending its generators (the same code, without the cost of resuming them).
 */
export class Simulation<S, A> {
  readonly req: Request<S, A> = newRequest<S, A>();
  /** Whether requests are answered inline with synchronous model calls. */
  readonly sync: boolean;
  nodes = new Int32Array(64);
  edges = new Int32Array(64);
  reals = new Int32Array(64);
  gens = new Int32Array(64);
  rewards = new Float64Array(64);
  len = 0;
  /** A node this simulation stored whose evaluation is not backed up yet (NONE otherwise). */
  created = NONE;
  /** Whether this simulation's virtual loss is on the tree. */
  virtualHeld = false;
  stepState: S = undefined as S;
  stepReward = 0;
  stepTerminal = false;
  /** With `returns: "mean"`: how many rewards the last leaf value averages (0 for a terminal leaf). */
  leafSteps = 0;

  /** A simulation whose requests are answered inline (`sync`) or yielded to an asynchronous driver. */
  constructor(sync: boolean) {
    this.sync = sync;
  }

  /** Appends a path entry (node, edge taken, realization at the node and its generation). */
  push(node: number, edge: number, real: number, gen: number): void {
    const i = this.len;
    if (i === this.nodes.length) this.grow();
    this.nodes[i] = node;
    this.edges[i] = edge;
    this.reals[i] = real;
    this.gens[i] = gen;
    this.len = i + 1;
  }

  private grow(): void {
    const cap = this.nodes.length * 2;
    const int = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.nodes = int(this.nodes);
    this.edges = int(this.edges);
    this.reals = int(this.reals);
    this.gens = int(this.gens);
    const rewards = new Float64Array(cap);
    rewards.set(this.rewards);
    this.rewards = rewards;
  }
}

/** Removes a simulation's virtual loss from its path, exactly once. */
export function releaseVirtual<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>): void {
  if (!sim.virtualHeld) return;
  sim.virtualHeld = false;
  const tree = ctx.tree;
  for (let i = 0; i < sim.len; i++) {
    tree.edgeVirtual[sim.edges[i]!]! -= 1;
    tree.nodeVirtual[sim.nodes[i]!]! -= 1;
  }
}

/** Flags the node a cancelled simulation stored without backing up its evaluation (it is evaluated when next reached). */
export function abandon<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>): void {
  releaseVirtual(ctx, sim);
  const node = sim.created;
  sim.created = NONE;
  if (node < 0 || node >= ctx.tree.nodeCount || (ctx.tree.flags[node]! & FLAG_UNEVALUATED) !== 0) return;
  ctx.tree.flags[node] = ctx.tree.flags[node]! | FLAG_UNEVALUATED;
  ctx.tree.unevaluated += 1;
}

/** Registers `key` as busy in `map` until the returned function is called. */
function mark(map: Map<number, Promise<void>>, key: number): () => void {
  let release: () => void = () => {};
  const pending = new Promise<void>((resolve) => {
    release = resolve;
  });
  map.set(key, pending);
  return () => {
    if (map.get(key) === pending) map.delete(key);
    release();
  };
}

/** Asks the driver to call a caller function `fn` (named `method` in errors). */
export function* call<S, A, T>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, method: string, fn: () => MaybePromise<T>): SimProgram<S, A, T> {
  const req = sim.req;
  req.kind = REQ_CALL;
  req.method = method;
  req.call = fn;
  return (sim.sync ? answerSync(ctx, req) : yield req) as T;
}

function* wait<S, A>(sim: Simulation<S, A>, pending: PromiseLike<unknown>): SimProgram<S, A> {
  const req = sim.req;
  req.kind = REQ_WAIT;
  req.wait = pending;
  yield req;
  req.wait = undefined;
}

/** Steps the model once per entry of `actions` from `state` (answers are copied). */
function* stepMany<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, state: S, actions: readonly A[]): SimProgram<S, A, readonly StepResult<S>[]> {
  const req = sim.req;
  req.kind = REQ_STEPS;
  req.state = state;
  req.actions = actions;
  return (sim.sync ? answerSync(ctx, req) : yield req) as readonly StepResult<S>[];
}

/** Copies a step's outcome into `sim.stepState`, `stepReward`, `stepTerminal` (models may reuse the object). */
function keepStep<S, A>(sim: Simulation<S, A>, result: StepResult<S>): void {
  sim.stepState = result.state;
  sim.stepReward = result.reward;
  sim.stepTerminal = result.terminal === true;
}

function checkedScore(method: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new MctsConfigError(method, `returned ${String(value)}, not a number`);
  return value;
}

/** Scores of candidates: values, or one promise of all of them when a score is asynchronous. */
function scoreAll<S, A>(score: (c: StepResult<S>, s: S, a: A) => MaybePromise<number>, candidates: readonly StepResult<S>[], state: S, action: A): MaybePromise<number[]> {
  const scores = candidates.map((c) => score(c, state, action));
  return scores.some((s) => typeof (s as PromiseLike<number>)?.then === "function") ? Promise.all(scores) : (scores as number[]);
}

/**
 * A transition into the tree: one step, or with best-of-K expansion K candidate steps of which the best by the
 * caller's score is kept (the first among equals). The outcome lands in `sim.step*`.
 */
function* transition<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, state: S, action: A): SimProgram<S, A> {
  const cfg = ctx.cfg;
  const k = cfg.expansionCandidates;
  if (k === 1) {
    const req = sim.req;
    req.kind = REQ_STEP;
    req.state = state;
    req.action = action;
    keepStep(sim, (sim.sync ? answerSync(ctx, req) : yield req) as StepResult<S>);
    return;
  }
  const candidates = yield* stepMany(ctx, sim, state, new Array<A>(k).fill(action));
  const score = cfg.expansionScore!;
  const scores = yield* call(ctx, sim, "expansion.score", () => scoreAll(score, candidates, state, action));
  let best = 0;
  for (let i = 0; i < k; i++) if (checkedScore("expansion.score", scores[i]) > scores[best]!) best = i;
  keepStep(sim, candidates[best]!);
}

/**
 * Leaf value of a non-terminal state: a rollout with the default policy to the configured depth (rewards signed
 * per ply in two-player games), bootstrapped by the value function when the episode has not ended. `lastReward`
 * is the reward of the transition into the leaf (the first `RolloutInfo.lastReward`). With `returns: "mean"` the
 * value is the mean of those terms and `sim.leafSteps` their number.
 */
export function* leafValue<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, state: S, lastReward: number): SimProgram<S, A, number> {
  const cfg = ctx.cfg;
  const rng = ctx.rng;
  const policy = cfg.rolloutPolicy;
  const req = sim.req;
  let total = 0;
  let discount = 1;
  let sign = 1;
  let current = state;
  let last = lastReward;
  let ended = false;
  let steps = 0;
  for (let d = 0; d < cfg.rolloutDepth; d++) {
    let actions: readonly A[];
    if (sim.sync) {
      actions = actionsSync(ctx, current);
    } else {
      req.kind = REQ_ACTIONS;
      req.state = current;
      actions = (yield req) as readonly A[];
    }
    const count = actions.length;
    if (count === 0) {
      ended = true;
      break;
    }
    if (cfg.rolloutMaxReward) {
      // ChatSOP's simulation: try every action, follow the one with the highest reward.
      const outcomes = yield* stepMany(ctx, sim, current, actions);
      let best = 0;
      for (let i = 1; i < count; i++) if (outcomes[i]!.reward > outcomes[best]!.reward) best = i;
      keepStep(sim, outcomes[best]!);
    } else {
      let action: A;
      if (policy === undefined) {
        action = actions[Math.floor(rng.next() * count)]!;
      } else {
        const info = { depth: d, lastReward: last, totalReward: total };
        const from = current;
        action = yield* call(ctx, sim, "rolloutPolicy", () => policy(from, actions, rng, info));
      }
      if (sim.sync) {
        keepStep(sim, stepSync(ctx, current, action));
      } else {
        req.kind = REQ_STEP;
        req.state = current;
        req.action = action;
        keepStep(sim, (yield req) as StepResult<S>);
      }
    }
    last = sim.stepReward;
    total += sign * discount * last;
    steps++;
    discount *= cfg.discount;
    if (cfg.players === 2) sign = -sign;
    current = sim.stepState;
    if (sim.stepTerminal) {
      ended = true;
      break;
    }
  }
  if (!ended && cfg.hasValue) {
    let value: number;
    if (sim.sync) {
      value = evaluateSync(ctx, current);
    } else {
      req.kind = REQ_EVALUATE;
      req.state = current;
      value = (yield req) as number;
    }
    total += sign * discount * value;
    steps++;
  }
  if (!cfg.meanReturns) return total;
  sim.leafSteps = steps;
  return steps > 0 ? total / steps : 0;
}

/**
 * Leaf value by a uniformly random rollout with synchronous model calls: {@link leafValue} for the default policy
 * in a synchronous search, in the same order of generator draws and arithmetic, without the cost of a generator
 * (rollouts dominate fresh tic-tac-toe searches; the bench measures the difference).
 */
export function randomRolloutNow<S, A>(ctx: SearchContext<S, A>, state: S): number {
  const cfg = ctx.cfg;
  const rng = ctx.rng;
  let total = 0;
  let discount = 1;
  let sign = 1;
  let current = state;
  let ended = false;
  for (let d = 0; d < cfg.rolloutDepth; d++) {
    const actions = actionsSync(ctx, current);
    const count = actions.length;
    if (count === 0) {
      ended = true;
      break;
    }
    const step = stepSync(ctx, current, actions[Math.floor(rng.next() * count)]!);
    total += sign * discount * step.reward;
    discount *= cfg.discount;
    if (cfg.players === 2) sign = -sign;
    current = step.state;
    if (step.terminal === true) {
      ended = true;
      break;
    }
  }
  if (!ended && cfg.hasValue) total += sign * discount * evaluateSync(ctx, current);
  return total;
}

/** The legal actions less those `mask` (the `invalidActions` answer) marks invalid. */
function unmasked<A>(actions: readonly A[], mask: ArrayLike<boolean>): readonly A[] {
  if (mask === null || typeof mask !== "object" || mask.length !== actions.length) {
    throw new MctsConfigError("invalidActions", `returned ${String((mask as ArrayLike<boolean> | null)?.length)} flags for ${actions.length} actions`);
  }
  return actions.filter((_, i) => !mask[i]);
}

/** Checks the model's actions and stores `node`'s edges (unless another simulation expanded it meanwhile). */
function commitExpansion<S, A>(ctx: SearchContext<S, A>, node: number, actions: readonly A[], priors: ArrayLike<number> | undefined): void {
  if ((ctx.tree.flags[node]! & FLAG_EXPANDED) === 0) ctx.tree.expand(node, actions, priors);
}

/**
 * Expands `node` with the model's legal actions (less those `invalidActions` masks) and priors, synchronously:
 * the synchronous search's {@link expandNode}, as a plain function (a generator per expansion costs about a fifth
 * of a PUCT simulation on tic-tac-toe).
 */
export function expandNow<S, A>(ctx: SearchContext<S, A>, node: number, state: S): void {
  const cfg = ctx.cfg;
  const model = ctx.model;
  let actions = actionsSync(ctx, state);
  if (!Array.isArray(actions)) throw new MctsModelError("actions", "must return an array");
  const invalid = cfg.invalidActions;
  if (invalid !== undefined && actions.length > 0) {
    const legal = actions;
    actions = unmasked(legal, callSync("invalidActions", () => invalid(state, legal)));
  }
  const legal = actions;
  const priors = model.prior !== undefined && legal.length > 0 ? callSync("prior", () => model.prior!(state, legal)) : undefined;
  commitExpansion(ctx, node, legal, priors);
}

/**
 * Expands `node` as {@link expandNow} does, through requests (asynchronous search). With simulations in flight, a
 * node is expanded once: the others wait for it.
 */
export function* expandNode<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, flight: InFlight | undefined, node: number, state: S): SimProgram<S, A> {
  if (sim.sync) {
    expandNow(ctx, node, state);
    return;
  }
  if (flight !== undefined) {
    const pending = flight.expanding.get(node);
    if (pending !== undefined) {
      yield* wait(sim, pending);
      return;
    }
  }
  const release = flight === undefined ? undefined : mark(flight.expanding, node);
  try {
    const cfg = ctx.cfg;
    const model = ctx.model;
    const req = sim.req;
    req.kind = REQ_ACTIONS;
    req.state = state;
    let actions = (yield req) as readonly A[];
    if (!Array.isArray(actions)) throw new MctsModelError("actions", "must return an array");
    const invalid = cfg.invalidActions;
    if (invalid !== undefined && actions.length > 0) {
      const legal = actions;
      actions = unmasked(legal, yield* call(ctx, sim, "invalidActions", () => invalid(state, legal)));
    }
    let priors: ArrayLike<number> | undefined;
    if (model.prior !== undefined && actions.length > 0) {
      const legal = actions;
      priors = yield* call(ctx, sim, "prior", () => model.prior!(state, legal));
    }
    commitExpansion(ctx, node, actions, priors);
  } finally {
    release?.();
  }
}

/** Open loop with `priorPerRealization`: sets `node`'s edge priors to P(·|h) of realization `real`, computed once. */
export function* realizationPrior<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, node: number, real: number): SimProgram<S, A> {
  const tree = ctx.tree;
  const model = ctx.model;
  if (model.prior === undefined) return;
  const count = tree.edgeCount[node]!;
  let priors = tree.realPriors[real];
  if (priors === undefined) {
    const state = tree.realStates[real] as S;
    const actions = tree.actions[node]!;
    const gen = tree.realGen[real];
    const raw = yield* call(ctx, sim, "prior", () => model.prior!(state, actions));
    priors = new Float64Array(count);
    normalisePriors(raw, count, priors, 0);
    // With simulations in flight the realization may have been evicted meanwhile; its slot is then not ours.
    if (tree.realGen[real] === gen && tree.realStates[real] === state) tree.realPriors[real] = priors;
  }
  tree.edgePrior.set(priors, tree.firstEdge[node]!);
}

/** Stores the last transition (`sim.step*`) as a child of `edge`, unless the node cap is reached (then NONE). */
export function addChild<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, edge: number, key: string | number | undefined): number {
  const tree = ctx.tree;
  if (tree.nodeCount >= ctx.cfg.maxNodes) return NONE;
  const child = tree.addNode(edge, sim.stepState, sim.stepReward, sim.stepTerminal);
  if (ctx.cfg.loop === LOOP_SAMPLED) {
    tree.keys[child] = key;
    tree.nextOutcome[child] = tree.edgeChild[edge]!;
  }
  tree.edgeChild[edge] = child;
  sim.created = child;
  return child;
}

/**
 * Generates one realization of open-loop node `child` from `state` by `action`: for a top-value cache it is
 * evaluated (rollout / value function), scored and the cache cut back to its capacity. Returns its index (it may
 * already be evicted when it scored lowest).
 */
function* generateRealization<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, flight: InFlight | undefined, child: number, state: S, action: A): SimProgram<S, A, number> {
  const cfg = ctx.cfg;
  if (flight !== undefined) flight.generating.set(child, (flight.generating.get(child) ?? 0) + 1);
  try {
    yield* transition(ctx, sim, state, action);
  } finally {
    if (flight !== undefined) flight.generating.set(child, (flight.generating.get(child) ?? 1) - 1);
  }
  const next = sim.stepState;
  const reward = sim.stepReward;
  const terminal = sim.stepTerminal;
  const tree = ctx.tree;
  if (cfg.cacheUniform) return tree.addRealization(child, next, reward, terminal);
  const scoreFn = cfg.cacheScore;
  let score = 0;
  if (scoreFn !== undefined) score = checkedScore("loop.cache.score", yield* call(ctx, sim, "loop.cache.score", () => scoreFn(next, reward, terminal)));
  const value = terminal ? 0 : yield* leafValue(ctx, sim, next, reward);
  const fresh = tree.addRealization(child, next, reward, terminal);
  tree.realVisits[fresh] = 1;
  tree.realValue[fresh] = value;
  tree.realScore[fresh] = score;
  evictToCapacity(tree, child, cfg.cacheCapacity, cfg.childFactor, scoreFn !== undefined);
  return fresh;
}

/**
 * One simulation, written once for every setting and both searches: select down the tree, expand one node (or
 * stop at a terminal, depth-limited or abandoned node), evaluate it and back up. `flight` is the coordination of
 * the asynchronous search (virtual loss, shared expansions); the synchronous search passes none.
 */
export function* simulate<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>, flight: InFlight | undefined): SimProgram<S, A> {
  const tree = ctx.tree;
  const cfg = ctx.cfg;
  const loop = cfg.loop;
  const rng = ctx.rng;
  let node = ctx.root;
  let real = ctx.rootReal;
  let state = real >= 0 ? (tree.realStates[real] as S) : tree.states[node]!;
  let depth = 0;
  let leaf = NONE;
  let leafReal = NONE;
  let value = 0;
  sim.len = 0;
  sim.created = NONE;
  sim.leafSteps = 0;
  sim.virtualHeld = flight !== undefined;
  const randomRollouts = cfg.rolloutPolicy === undefined && !cfg.rolloutMaxReward && !cfg.meanReturns;
  const singleStep = cfg.expansionCandidates === 1;
  for (;;) {
    const flags = tree.flags[node]!;
    const terminal = real >= 0 ? tree.realTerminal[real] === 1 : (flags & FLAG_TERMINAL) !== 0;
    leaf = node;
    leafReal = real;
    if ((flags & FLAG_UNEVALUATED) !== 0) {
      // Stored by a simulation abandoned before its evaluation: evaluate it now, as a new leaf.
      tree.flags[node] = flags & ~FLAG_UNEVALUATED;
      tree.unevaluated -= 1;
      sim.created = node;
      value = terminal ? 0 : yield* leafValue(ctx, sim, state, sim.len > 0 ? sim.rewards[sim.len - 1]! : 0);
      tree.rawValue[node] = value;
      break;
    }
    if (terminal) break;
    if (depth >= cfg.maxDepth) {
      value = yield* leafValue(ctx, sim, state, sim.len > 0 ? sim.rewards[sim.len - 1]! : 0);
      break;
    }
    if ((tree.flags[node]! & FLAG_EXPANDED) === 0) {
      if (sim.sync) expandNow(ctx, node, state);
      else yield* expandNode(ctx, sim, flight, node, state);
    }
    if (tree.edgeCount[node] === 0) break;
    if (cfg.priorPerRealization && depth > 0) yield* realizationPrior(ctx, sim, node, real);
    const edge = ctx.selector.select(tree, node, depth);
    const len = sim.len;
    sim.push(node, edge, real, real >= 0 ? tree.realGen[real]! : 0);
    if (flight !== undefined) {
      tree.edgeVirtual[edge]! += 1;
      tree.nodeVirtual[node]! += 1;
    }
    const action = tree.actions[node]![edge - tree.firstEdge[node]!]!;
    depth++;
    let child = tree.edgeChild[edge]!;
    let key: string | number | undefined;
    if (child < 0 && loop !== LOOP_SAMPLED && flight !== undefined) {
      const pending = flight.stepping.get(edge);
      if (pending !== undefined) {
        yield* wait(sim, pending);
        child = tree.edgeChild[edge]!;
      }
    }
    if (loop === LOOP_DETERMINISTIC) {
      if (child >= 0) {
        sim.rewards[len] = tree.reward[child]!;
        node = child;
        state = tree.states[child]!;
        real = NONE;
        continue;
      }
    } else if (loop === LOOP_SAMPLED) {
      const sample = !cfg.widening || outcomeCount(tree, edge) < cfg.wideningK * Math.pow(Math.max(1, tree.edgeVisits[edge]!), cfg.wideningAlpha);
      if (!sample) {
        child = visitWeightedOutcome(tree, edge, rng);
        sim.rewards[len] = tree.reward[child]!;
        node = child;
        state = tree.states[child]!;
        continue;
      }
      yield* transition(ctx, sim, state, action);
      sim.rewards[len] = sim.stepReward;
      key = cfg.outcomeKey ? cfg.outcomeKey(sim.stepState) : undefined;
      const existing = key === undefined ? NONE : findOutcome(tree, edge, key);
      if (existing >= 0) {
        node = existing;
        state = tree.states[existing]!;
        continue;
      }
      // A new outcome node.
    } else if (child >= 0) {
      const held = tree.realCount[child]!;
      const count = held + (flight?.generating.get(child) ?? 0);
      const generate = held === 0 || (cfg.cacheUniform ? count < cfg.cacheCapacity : cfg.cacheAlwaysGenerate || count < cfg.cacheCapacity);
      if (generate) real = yield* generateRealization(ctx, sim, flight, child, state, action);
      if (!cfg.cacheUniform) real = softmaxRealization(tree, child, cfg.cacheTemperature, rng, cfg.childFactor, cfg.cacheScore !== undefined);
      else if (!generate) real = uniformRealization(tree, child, rng);
      sim.rewards[len] = tree.realReward[real]!;
      node = child;
      state = tree.realStates[real] as S;
      continue;
    }
    // A new node behind `edge`; with simulations in flight, others reaching `edge` meanwhile wait for it.
    if (loop !== LOOP_SAMPLED) {
      const release = flight === undefined ? undefined : mark(flight.stepping, edge);
      try {
        if (sim.sync && singleStep) keepStep(sim, stepSync(ctx, state, action));
        else yield* transition(ctx, sim, state, action);
        sim.rewards[len] = sim.stepReward;
        leaf = addChild(ctx, sim, edge, undefined);
      } finally {
        release?.();
      }
    } else {
      leaf = addChild(ctx, sim, edge, key);
    }
    const next = sim.stepState;
    const reward = sim.stepReward;
    const ended = sim.stepTerminal;
    leafReal = leaf >= 0 && loop === LOOP_OPEN ? tree.addRealization(leaf, next, reward, ended) : NONE;
    // The realization that creates a node is ranked by the caller's score like every later one (generateRealization).
    const scoreFn = cfg.cacheScore;
    if (leafReal >= 0 && !cfg.cacheUniform && scoreFn !== undefined) {
      tree.realScore[leafReal] = checkedScore("loop.cache.score", yield* call(ctx, sim, "loop.cache.score", () => scoreFn(next, reward, ended)));
    }
    if (leaf >= 0 && cfg.expandLeaves && !ended) yield* expandNode(ctx, sim, flight, leaf, next);
    if (ended) value = 0;
    else if (sim.sync && randomRollouts) value = randomRolloutNow(ctx, next);
    else value = yield* leafValue(ctx, sim, next, reward);
    if (leaf >= 0) tree.rawValue[leaf] = value;
    break;
  }
  releaseVirtual(ctx, sim);
  backup(ctx, sim.nodes, sim.edges, sim.reals, flight === undefined ? undefined : sim.gens, sim.rewards, sim.len, leaf, leafReal, value, sim.leafSteps);
  sim.created = NONE;
}

/**
 * Before a search: expands and evaluates the root when needed (and an abandoned root), sets its priors from its
 * own realization with `priorPerRealization`, and draws Dirichlet root noise.
 */
export function* prepareRoot<S, A>(ctx: SearchContext<S, A>, sim: Simulation<S, A>): SimProgram<S, A> {
  const tree = ctx.tree;
  const root = ctx.root;
  const state = ctx.rootReal >= 0 ? (tree.realStates[ctx.rootReal] as S) : tree.states[root]!;
  sim.len = 0;
  if ((tree.flags[root]! & FLAG_EXPANDED) === 0) yield* expandNode(ctx, sim, undefined, root, state);
  if ((tree.flags[root]! & FLAG_TERMINAL) !== 0) throw new MctsModelError("actions", "the root state has no legal action");
  if ((tree.flags[root]! & FLAG_UNEVALUATED) !== 0) {
    tree.flags[root] = tree.flags[root]! & ~FLAG_UNEVALUATED;
    tree.unevaluated -= 1;
    if (tree.visits[root]! > 0) {
      const value = yield* leafValue(ctx, sim, state, 0);
      tree.rawValue[root] = value;
      backup(ctx, sim.nodes, sim.edges, sim.reals, undefined, sim.rewards, 0, root, ctx.rootReal, value, sim.leafSteps);
    }
  }
  if (tree.visits[root] === 0) {
    const value = yield* leafValue(ctx, sim, state, 0);
    tree.rawValue[root] = value;
    backup(ctx, sim.nodes, sim.edges, sim.reals, undefined, sim.rewards, 0, root, ctx.rootReal, value, sim.leafSteps);
  }
  if (ctx.cfg.priorPerRealization && ctx.rootReal >= 0) yield* realizationPrior(ctx, sim, root, ctx.rootReal);
  applyRootNoise(ctx);
}

/** AlphaZero's Dirichlet root noise: P ← (1 − ε)·P + ε·Dir(α), from the clean priors, afresh for each search. */
function applyRootNoise<S, A>(ctx: SearchContext<S, A>): void {
  const cfg = ctx.cfg;
  if (cfg.dirichletFraction === 0) return;
  const tree = ctx.tree;
  const first = tree.firstEdge[ctx.root]!;
  const count = tree.edgeCount[ctx.root]!;
  if (ctx.rootCleanPrior === undefined || ctx.rootCleanPrior.length !== count || cfg.priorPerRealization) {
    ctx.rootCleanPrior = tree.edgePrior.slice(first, first + count);
  }
  const noise = ctx.rng.dirichlet(cfg.dirichletAlpha, count);
  const eps = cfg.dirichletFraction;
  for (let i = 0; i < count; i++) tree.edgePrior[first + i] = (1 - eps) * ctx.rootCleanPrior[i]! + eps * noise[i]!;
}
