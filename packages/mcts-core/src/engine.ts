import { runAsyncSearch } from "./async.js";
import { LOOP_OPEN, MctsConfigError, RULE_GUMBEL, resolveConfig, type Config } from "./config.js";
import type { SearchContext } from "./context.js";
import { resolveBudget } from "./core.js";
import { runSync } from "./drive-sync.js";
import { advanceRoot } from "./reuse.js";
import { buildResult, buildTrace, type SearchTrace, type TraceOptions } from "./result.js";
import { createRng, type Rng } from "./rng.js";
import { Selector } from "./select.js";
import { prepareRoot, simulate, Simulation } from "./simulation.js";
import { NONE, Tree } from "./tree.js";
import type { GenerativeModel, SearchBudget, SearchOptions, SearchResult, StopReason } from "./types.js";
import { simulateUctSync, uctFastPathApplies } from "./uct-sync.js";

/**
 * The search engine: one tree, one configuration, one seeded generator. Build it with a model and a root state,
 * run `search` (synchronous models, answered at once) or `searchAsync` (any model; simulations in flight,
 * batched steps and leaf evaluations), read the result, then `advance` to reuse the tree on the next turn.
 */
export class Mcts<S, A> implements SearchContext<S, A> {
  /** @internal */ readonly cfg: Config<S, A>;
  /** @internal */ tree: Tree<S, A>;
  /** @internal */ root = 0;
  /** @internal */ rootReal = NONE;
  /** @internal */ rootCleanPrior: Float64Array | undefined = undefined;
  /** @internal */ readonly selector: Selector<S, A>;
  /** The engine's seeded generator, also passed to every model call that samples. */
  readonly rng: Rng;
  /**
   * Whether synchronous plain-UCT searches may take the specialised descent (`uct-sync.ts`); the trees are
   * identical either way. The bench turns it off to measure what the fast path gains.
   */
  fastPath = true;
  /** The synchronous search's simulation scratch (path buffers), reused by every simulation. */
  private readonly sim = new Simulation<S, A>(true);

  /** Creates an engine for `model` rooted at `rootState`; throws {@link MctsConfigError} on a bad option. */
  constructor(
    readonly model: GenerativeModel<S, A>,
    rootState: S,
    options: SearchOptions<S, A> = {},
  ) {
    this.cfg = resolveConfig(model, options);
    this.rng = createRng(this.cfg.seed);
    this.selector = new Selector(this.cfg);
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

  /** Live realizations held by the open-loop caches (0 in a closed loop). */
  get realizationCount(): number {
    return this.tree.realLive;
  }

  /** Discards the tree and starts again from `rootState`. */
  reset(rootState: S): void {
    this.tree = new Tree<S, A>(1024, 4096, this.cfg.loop === LOOP_OPEN);
    this.selector.resetBounds();
    this.setRoot(rootState);
  }

  private setRoot(rootState: S): void {
    this.root = this.tree.addNode(NONE, rootState, 0, false);
    this.rootReal = this.cfg.loop === LOOP_OPEN ? this.tree.addRealization(this.root, rootState, 0, false) : NONE;
    this.rootCleanPrior = undefined;
  }

  /** Runs simulations with a synchronous model until the budget ends; returns the best result so far. */
  search(budget: SearchBudget): SearchResult<S, A> {
    const start = performance.now();
    const deadline = resolveBudget(budget, start);
    const sim = this.sim;
    runSync(this, prepareRoot(this, sim));
    this.beginSearch(budget);
    const maxIterations = budget.iterations ?? Infinity;
    const timed = deadline !== Infinity;
    const { signal, custom } = budget;
    let iterations = 0;
    let stop: StopReason;
    // The clock is read every `stride` iterations; the stride adapts so that checks are about 0.25 ms apart.
    let stride = 1;
    let nextCheck = 0;
    let lastCheck = start;
    const fast = this.fastPath && uctFastPathApplies(this.cfg) && this.tree.unevaluated === 0;
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
      if (fast) simulateUctSync(this, sim);
      else runSync(this, simulate(this, sim, undefined));
      iterations++;
    }
    return buildResult(this, iterations, stop, performance.now() - start);
  }

  /** Runs simulations with any model (promises allowed), many in flight; resolves with the best result so far. */
  searchAsync(budget: SearchBudget): Promise<SearchResult<S, A>> {
    return runAsyncSearch(this, budget, () => this.beginSearch(budget));
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

  /** Records the root's starting visits and prepares Gumbel's noise and halving schedule for this search. */
  private beginSearch(budget: SearchBudget): void {
    const tree = this.tree;
    const root = this.root;
    const first = tree.firstEdge[root]!;
    const count = tree.edgeCount[root]!;
    const base = new Float64Array(count);
    for (let i = 0; i < count; i++) base[i] = tree.edgeVisits[first + i]!;
    this.selector.rootBase = base;
    if (this.cfg.root.code === RULE_GUMBEL) {
      if (budget.iterations === undefined) {
        throw new MctsConfigError("budget.iterations", "Gumbel root search plans its halving for a known number of simulations");
      }
      this.selector.prepareGumbel(tree, root, budget.iterations, this.rng, base);
    }
  }
}
