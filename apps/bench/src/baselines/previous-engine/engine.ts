import { runAsyncSearch } from "./async.js";
import { backup, isPromiseLike, resolveBudget } from "./core.js";
import {
  LOOP_DETERMINISTIC,
  LOOP_OPEN,
  LOOP_SAMPLED,
  MctsConfigError,
  RULE_GUMBEL,
  resolveConfig,
  type Config,
} from "./config.js";
import {
  evictToCapacity,
  findOutcome,
  outcomeCount,
  softmaxRealization,
  uniformRealization,
  visitWeightedOutcome,
} from "./realizations.js";
import { advanceRoot } from "./reuse.js";
import { buildResult, buildTrace, type SearchTrace, type TraceOptions } from "./result.js";
import { createRng, type Rng } from "./rng.js";
import { Selector } from "./select.js";
import { simulateUctSync, uctFastPathApplies } from "./uct-sync.js";
import { FLAG_EXPANDED, FLAG_TERMINAL, MctsModelError, NONE, Tree } from "./tree.js";
import type { GenerativeModel, SearchBudget, SearchOptions, SearchResult, StopReason, StepResult } from "./types.js";

/** The error for a promise met by the synchronous search; the promise's own failure is silenced (it is moot). */
function syncOnly(method: string, promise: PromiseLike<unknown>): MctsModelError {
  Promise.resolve(promise).catch(() => {});
  return new MctsModelError(method, "returned a promise; use searchAsync() for asynchronous models");
}

/**
 * The search engine: one tree, one configuration, one seeded generator. Build it with a model and a root state,
 * run `search` (synchronous models, allocation-free hot loop) or `searchAsync` (any model; simulations in flight,
 * batched leaf evaluation), read the result, then `advance` to reuse the tree on the next turn.
 */
export class Mcts<S, A> {
  /** @internal */ readonly cfg: Config<S, A>;
  /** @internal */ tree: Tree<S, A>;
  /** @internal */ root = 0;
  /** @internal */ rootReal = NONE;
  /** @internal */ readonly selector: Selector<S, A>;
  /** The engine's seeded generator, also passed to every model call that samples. */
  readonly rng: Rng;
  /** @internal */ rootBase: Float64Array = new Float64Array(0);
  /** @internal */ pathNode = new Int32Array(64);
  /** @internal */ pathEdge = new Int32Array(64);
  private pathReal = new Int32Array(64);
  /** @internal */ pathReward = new Float64Array(64);
  /** @internal */ stepState: S | undefined = undefined;
  /** @internal */ stepReward = 0;
  /** @internal */ stepTerminal = false;
  private readonly hasEvaluate: boolean;

  /** Creates an engine for `model` rooted at `rootState`; throws {@link MctsConfigError} on a bad option. */
  constructor(
    readonly model: GenerativeModel<S, A>,
    rootState: S,
    options: SearchOptions<S, A> = {},
  ) {
    this.cfg = resolveConfig(model, options);
    this.rng = createRng(this.cfg.seed);
    this.selector = new Selector(this.cfg);
    this.hasEvaluate = typeof model.evaluate === "function" || typeof model.evaluateBatch === "function";
    this.tree = new Tree<S, A>(1024, 4096, this.cfg.loop === LOOP_OPEN);
    this.setRoot(rootState);
  }

  /** Number of nodes in the tree. */
  get nodeCount(): number {
    return this.tree.nodeCount;
  }

  /** Approximate bytes held by the tree's arrays (states themselves not counted). */
  get treeBytes(): number {
    return this.tree.byteSize();
  }

  /** Discards the tree and starts again from `rootState`. */
  reset(rootState: S): void {
    this.tree = new Tree<S, A>(1024, 4096, this.cfg.loop === LOOP_OPEN);
    this.selector.minSeen = Infinity;
    this.selector.maxSeen = -Infinity;
    this.setRoot(rootState);
  }

  private setRoot(rootState: S): void {
    this.root = this.tree.addNode(NONE, rootState, 0, false);
    this.rootReal = this.cfg.loop === LOOP_OPEN ? this.tree.addRealization(this.root, rootState, 0, false) : NONE;
  }

  /** Runs simulations with a synchronous model until the budget ends; returns the best result so far. */
  search(budget: SearchBudget): SearchResult<S, A> {
    const start = performance.now();
    const deadline = resolveBudget(budget, start);
    this.prepareSync(budget);
    const maxIterations = budget.iterations ?? Infinity;
    const timed = deadline !== Infinity;
    const { signal, custom } = budget;
    let iterations = 0;
    let stop: StopReason;
    // The clock is read every `stride` iterations; the stride adapts so that checks are about 0.25 ms apart.
    let stride = 1;
    let nextCheck = 0;
    let lastCheck = start;
    const fast = uctFastPathApplies(this.cfg, this.selector.virtual);
    for (;;) {
      if (iterations >= maxIterations) {
        stop = "iterations";
        break;
      }
      if (timed && iterations >= nextCheck) {
        const now = performance.now();
        if (now >= deadline) {
          stop = "time";
          break;
        }
        stride = now - lastCheck < 0.25 ? Math.min(stride * 2, 1024) : Math.max(1, stride >> 1);
        lastCheck = now;
        nextCheck = iterations + stride;
      }
      if (signal !== undefined && signal.aborted) {
        stop = "aborted";
        break;
      }
      if (custom !== undefined && custom.exhausted()) {
        stop = "custom";
        break;
      }
      if (fast) simulateUctSync(this);
      else this.simulateSync();
      iterations++;
    }
    return buildResult(this, iterations, stop, performance.now() - start);
  }

  /** Runs simulations with any model (promises allowed), many in flight; resolves with the best result so far. */
  searchAsync(budget: SearchBudget): Promise<SearchResult<S, A>> {
    return runAsyncSearch(this, budget);
  }

  /** The result the current statistics give (the same as the last search's, without running anything). */
  result(): SearchResult<S, A> {
    return buildResult(this, 0, "iterations", 0);
  }

  /** A JSON-serialisable trace of the whole tree: nodes, edges, realizations and their values. */
  trace(options: TraceOptions<S, A> = {}): SearchTrace {
    return buildTrace(this, options);
  }

  /**
   * Moves the root to the child reached by `action` (and, for stochastic or open-loop searches, the observed next
   * state), keeping that subtree's statistics and pruning the rest (and anything beyond `maxNodes`).
   */
  advance(action: A, observedState?: S): void {
    advanceRoot(this, action, observedState);
  }

  /** @internal Root evaluation, root expansion and Gumbel preparation before a synchronous search. */
  prepareSync(budget: SearchBudget): void {
    const tree = this.tree;
    const root = this.root;
    if (tree.visits[root] === 0) {
      const state = tree.states[root]!;
      if (!(tree.flags[root]! & FLAG_EXPANDED)) this.expandSync(root, state);
      if (tree.flags[root]! & FLAG_TERMINAL) throw new MctsModelError("actions", "the root state has no legal action");
      const value = this.leafValueSync(state);
      tree.rawValue[root] = value;
      this.backupPath(0, root, this.rootReal, value);
    }
    if (!(tree.flags[root]! & FLAG_EXPANDED)) this.expandSync(root, tree.states[root]!);
    if (tree.flags[root]! & FLAG_TERMINAL) throw new MctsModelError("actions", "the root state has no legal action");
    this.prepareRoot(budget);
  }

  /** @internal Gumbel noise and halving schedule for this search; records the root's starting visits. */
  prepareRoot(budget: SearchBudget): void {
    const tree = this.tree;
    const root = this.root;
    const first = tree.firstEdge[root]!;
    const count = tree.edgeCount[root]!;
    this.rootBase = new Float64Array(count);
    for (let i = 0; i < count; i++) this.rootBase[i] = tree.edgeVisits[first + i]!;
    if (this.cfg.root.code === RULE_GUMBEL) {
      if (budget.iterations === undefined) {
        throw new MctsConfigError("budget.iterations", "Gumbel root search plans its halving for a known number of simulations");
      }
      this.selector.prepareGumbel(tree, root, budget.iterations, this.rng, this.rootBase);
    }
  }

  /** @internal Expands `node` with the model's actions and priors (synchronous model). */
  expandSync(node: number, state: S): void {
    const model = this.model;
    const actions = model.actions(state);
    if (isPromiseLike(actions)) throw syncOnly("actions", actions);
    if (!Array.isArray(actions)) throw new MctsModelError("actions", "must return an array");
    let priors: ArrayLike<number> | undefined;
    if (model.prior !== undefined && actions.length > 0) {
      const p = model.prior(state, actions);
      if (isPromiseLike(p)) throw syncOnly("prior", p);
      priors = p;
    }
    this.tree.expand(node, actions, priors);
  }

  /** @internal Steps the model and keeps the outcome in `stepState`, `stepReward`, `stepTerminal`. */
  stepSync(state: S, action: A): void {
    const result = this.model.step(state, action, this.rng);
    if (isPromiseLike(result)) throw syncOnly("step", result);
    if (result === null || typeof result !== "object") throw new MctsModelError("step", `must return {state, reward, terminal}, got ${String(result)}`);
    const reward = (result as StepResult<S>).reward;
    if (!(reward > -Infinity && reward < Infinity)) throw new MctsModelError("step", `reward is ${String(reward)}, not a finite number`);
    this.stepState = result.state;
    this.stepReward = reward;
    this.stepTerminal = result.terminal === true;
  }

  private evaluateSync(state: S): number {
    const model = this.model;
    let value: number;
    if (model.evaluate !== undefined) {
      const v = model.evaluate(state);
      if (isPromiseLike(v)) throw syncOnly("evaluate", v);
      value = v;
    } else {
      const batch = model.evaluateBatch!([state]);
      if (isPromiseLike(batch)) throw syncOnly("evaluateBatch", batch);
      value = batch[0] as number;
    }
    if (!(value > -Infinity && value < Infinity)) throw new MctsModelError("evaluate", `value is ${String(value)}, not a finite number`);
    return value;
  }

  /** @internal Leaf value of a non-terminal state: rollout to the configured depth, bootstrapped by the value function. */
  leafValueSync(state: S): number {
    const cfg = this.cfg;
    const model = this.model;
    const rng = this.rng;
    const policy = cfg.rolloutPolicy;
    const twoPlayer = cfg.players === 2;
    let total = 0;
    let discount = 1;
    let sign = 1;
    let current = state;
    let ended = false;
    for (let d = 0; d < cfg.rolloutDepth; d++) {
      const actions = model.actions(current);
      if (isPromiseLike(actions)) throw syncOnly("actions", actions);
      const count = actions.length;
      if (count === 0) {
        ended = true;
        break;
      }
      let action: A;
      if (policy === undefined) {
        action = actions[Math.floor(rng.next() * count)]!;
      } else {
        const chosen = policy(current, actions, rng);
        if (isPromiseLike(chosen)) throw syncOnly("rolloutPolicy", chosen);
        action = chosen;
      }
      this.stepSync(current, action);
      total += sign * discount * this.stepReward;
      discount *= cfg.discount;
      if (twoPlayer) sign = -sign;
      current = this.stepState as S;
      if (this.stepTerminal) {
        ended = true;
        break;
      }
    }
    if (!ended && this.hasEvaluate) total += sign * discount * this.evaluateSync(current);
    return total;
  }

  /** @internal Doubles the path buffers. */
  growPath(): void {
    const cap = this.pathNode.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.pathNode = grow(this.pathNode, (n) => new Int32Array(n));
    this.pathEdge = grow(this.pathEdge, (n) => new Int32Array(n));
    this.pathReal = grow(this.pathReal, (n) => new Int32Array(n));
    this.pathReward = grow(this.pathReward, (n) => new Float64Array(n));
  }

  /** One simulation with a synchronous model: select, expand one node, evaluate it, back up. */
  private simulateSync(): void {
    const tree = this.tree;
    const cfg = this.cfg;
    const loop = cfg.loop;
    let node = this.root;
    let real = this.rootReal;
    let state = real >= 0 ? (tree.realStates[real] as S) : tree.states[node]!;
    let len = 0;
    let depth = 0;
    let leaf = NONE;
    let leafReal = NONE;
    let value = 0;
    for (;;) {
      const terminal = real >= 0 ? tree.realTerminal[real] === 1 : (tree.flags[node]! & FLAG_TERMINAL) !== 0;
      if (terminal) {
        leaf = node;
        leafReal = real;
        break;
      }
      if (depth >= cfg.maxDepth) {
        leaf = node;
        leafReal = real;
        value = this.leafValueSync(state);
        break;
      }
      if (!(tree.flags[node]! & FLAG_EXPANDED)) this.expandSync(node, state);
      if (tree.edgeCount[node] === 0) {
        leaf = node;
        leafReal = real;
        break;
      }
      const edge = this.selector.select(tree, node, depth);
      if (len === this.pathNode.length) this.growPath();
      this.pathNode[len] = node;
      this.pathEdge[len] = edge;
      this.pathReal[len] = real;
      const action = tree.actions[node]![edge - tree.firstEdge[node]!]!;
      depth++;
      let child = tree.edgeChild[edge]!;
      if (loop === LOOP_DETERMINISTIC) {
        if (child >= 0) {
          this.pathReward[len++] = tree.reward[child]!;
          node = child;
          state = tree.states[child]!;
          continue;
        }
      } else if (loop === LOOP_SAMPLED) {
        const sample = !cfg.widening || outcomeCount(tree, edge) < cfg.wideningK * Math.pow(Math.max(1, tree.edgeVisits[edge]!), cfg.wideningAlpha);
        if (!sample) {
          child = visitWeightedOutcome(tree, edge, this.rng);
          this.pathReward[len++] = tree.reward[child]!;
          node = child;
          state = tree.states[child]!;
          continue;
        }
        this.stepSync(state, action);
        this.pathReward[len++] = this.stepReward;
        const key = cfg.outcomeKey ? cfg.outcomeKey(this.stepState as S) : undefined;
        const existing = key === undefined ? NONE : findOutcome(tree, edge, key);
        if (existing >= 0) {
          node = existing;
          state = tree.states[existing]!;
          continue;
        }
        leaf = this.addChild(edge, key);
        if (leaf >= 0 && cfg.expandLeaves && !this.stepTerminal) this.expandSync(leaf, this.stepState as S);
        value = this.stepTerminal ? 0 : this.leafValueSync(this.stepState as S);
        if (leaf >= 0) tree.rawValue[leaf] = value;
        break;
      } else if (child >= 0) {
        const count = tree.realCount[child]!;
        if (cfg.cacheUniform) {
          if (count < cfg.cacheCapacity) {
            this.stepSync(state, action);
            real = tree.addRealization(child, this.stepState as S, this.stepReward, this.stepTerminal);
          } else {
            real = uniformRealization(tree, child, this.rng);
          }
        } else {
          if (cfg.cacheAlwaysGenerate || count < cfg.cacheCapacity) {
            this.stepSync(state, action);
            const fresh = tree.addRealization(child, this.stepState as S, this.stepReward, this.stepTerminal);
            tree.realVisits[fresh] = 1;
            tree.realValue[fresh] = this.stepTerminal ? 0 : this.leafValueSync(this.stepState as S);
            evictToCapacity(tree, child, cfg.cacheCapacity);
          }
          real = softmaxRealization(tree, child, cfg.cacheTemperature, this.rng);
        }
        this.pathReward[len++] = tree.realReward[real]!;
        node = child;
        state = tree.realStates[real] as S;
        continue;
      }
      // A new node behind `edge` (deterministic or open loop).
      this.stepSync(state, action);
      this.pathReward[len++] = this.stepReward;
      leaf = this.addChild(edge, undefined);
      if (leaf >= 0 && loop === LOOP_OPEN) leafReal = tree.addRealization(leaf, this.stepState as S, this.stepReward, this.stepTerminal);
      if (leaf >= 0 && cfg.expandLeaves && !this.stepTerminal) this.expandSync(leaf, this.stepState as S);
      value = this.stepTerminal ? 0 : this.leafValueSync(this.stepState as S);
      if (leaf >= 0) tree.rawValue[leaf] = value;
      break;
    }
    this.backupPath(len, leaf, leafReal, value);
  }

  /** @internal Stores the last step's outcome as a child of `edge`, unless the node cap is reached (then NONE). */
  addChild(edge: number, key: string | number | undefined): number {
    const tree = this.tree;
    if (tree.nodeCount >= this.cfg.maxNodes) return NONE;
    const child = tree.addNode(edge, this.stepState as S, this.stepReward, this.stepTerminal);
    if (this.cfg.loop === LOOP_SAMPLED) {
      tree.keys[child] = key;
      tree.nextOutcome[child] = tree.edgeChild[edge]!;
    }
    tree.edgeChild[edge] = child;
    return child;
  }

  private backupPath(len: number, leaf: number, leafReal: number, value: number): void {
    backup(this, this.pathNode, this.pathEdge, this.pathReal, this.pathReward, len, leaf, leafReal, value);
  }
}
