import { LOOP_DETERMINISTIC, LOOP_OPEN, LOOP_SAMPLED } from "./config.js";
import { checkedValue, copyStep, LeafBatcher } from "./batcher.js";
import { backup, isPromiseLike, resolveBudget } from "./core.js";
import type { Mcts } from "./engine.js";
import { rolloutValue } from "./rollout.js";
import {
  evictToCapacity,
  findOutcome,
  outcomeCount,
  softmaxRealization,
  uniformRealization,
  visitWeightedOutcome,
} from "./realizations.js";
import { buildResult } from "./result.js";
import { FLAG_EXPANDED, FLAG_TERMINAL, MctsModelError, NONE } from "./tree.js";
import type { SearchBudget, SearchResult, StopReason, StepResult } from "./types.js";

/**
 * One simulation in flight: its path so far (with virtual loss applied), whether it was abandoned, and whether its
 * virtual loss has been removed (so that it is removed exactly once).
 */
interface SimToken {
  cancelled: boolean;
  released: boolean;
  nodes: number[];
  edges: number[];
  reals: number[];
  rewards: number[];
}

/** One `searchAsync` call: launches simulations up to the concurrency limit until a budget ends. */
class AsyncRun<S, A> {
  private active = 0;
  private launched = 0;
  private completed = 0;
  private stopping = false;
  private finished = false;
  private stopReason: StopReason = "iterations";
  private readonly tokens = new Set<SimToken>();
  private readonly pendingExpand = new Map<number, Promise<void>>();
  private readonly pendingChild = new Map<number, Promise<void>>();
  private readonly pendingGenerations = new Map<number, number>();
  private readonly batcher: LeafBatcher<S> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private onAbort: (() => void) | undefined;
  private resolve: (result: SearchResult<S, A>) => void = () => {};
  private reject: (error: unknown) => void = () => {};
  private readonly hasEvaluate: boolean;

  constructor(
    private readonly engine: Mcts<S, A>,
    private readonly budget: SearchBudget,
    private readonly start: number,
    private readonly deadline: number,
  ) {
    const model = engine.model;
    this.hasEvaluate = typeof model.evaluate === "function" || typeof model.evaluateBatch === "function";
    if (typeof model.evaluateBatch === "function") {
      const batch = model.evaluateBatch.bind(model);
      this.batcher = new LeafBatcher<S>(batch, engine.cfg.batchSize);
    }
  }

  async run(): Promise<SearchResult<S, A>> {
    const engine = this.engine;
    engine.tree.enableVirtual();
    engine.selector.virtual = true;
    try {
      await this.prepare();
    } catch (error) {
      engine.selector.virtual = false;
      throw error;
    }
    return new Promise<SearchResult<S, A>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.deadline !== Infinity) {
        this.timer = setTimeout(() => this.abandon("time"), Math.max(0, this.deadline - performance.now()));
      }
      const signal = this.budget.signal;
      if (signal) {
        this.onAbort = () => this.abandon("aborted");
        signal.addEventListener("abort", this.onAbort, { once: true });
      }
      this.pump();
    });
  }

  private async prepare(): Promise<void> {
    const engine = this.engine;
    const tree = engine.tree;
    const root = engine.root;
    const token: SimToken = { cancelled: false, released: false, nodes: [], edges: [], reals: [], rewards: [] };
    const state = tree.states[root]!;
    if (!(tree.flags[root]! & FLAG_EXPANDED)) await this.expand(root, state, token);
    if (tree.flags[root]! & FLAG_TERMINAL) throw new MctsModelError("actions", "the root state has no legal action");
    if (tree.visits[root] === 0) {
      const value = await this.leafValue(state, token);
      tree.rawValue[root] = value;
      backup(engine, [], [], [], [], 0, root, engine.rootReal, value);
    }
    engine.prepareRoot(this.budget);
  }

  private stopCheck(): StopReason | undefined {
    const budget = this.budget;
    if (budget.iterations !== undefined && this.launched >= budget.iterations) return "iterations";
    if (this.deadline !== Infinity && performance.now() >= this.deadline) return "time";
    if (budget.signal?.aborted) return "aborted";
    if (budget.custom?.exhausted()) return "custom";
    return undefined;
  }

  private pump(): void {
    if (this.finished) return;
    while (!this.stopping && this.active < this.engine.cfg.concurrency) {
      const reason = this.stopCheck();
      if (reason !== undefined) {
        this.stopping = true;
        this.stopReason = reason;
        break;
      }
      const token: SimToken = { cancelled: false, released: false, nodes: [], edges: [], reals: [], rewards: [] };
      this.tokens.add(token);
      this.active++;
      this.launched++;
      this.simulate(token).then(
        () => this.done(token),
        (error: unknown) => this.fail(error),
      );
    }
    if (this.stopping && this.active === 0) {
      this.finish();
      return;
    }
    this.maybeFlush();
  }

  private done(token: SimToken): void {
    if (!this.tokens.delete(token)) return;
    this.active--;
    if (!token.cancelled) this.completed++;
    this.pump();
  }

  private maybeFlush(): void {
    const batcher = this.batcher;
    if (!batcher) return;
    while (batcher.pending >= batcher.size) batcher.flush();
    if (batcher.pending > 0 && batcher.pending >= this.active) batcher.flush();
  }

  private releaseVirtual(token: SimToken): void {
    // A simulation that finished (and released) can still be in `tokens` when another one fails in between.
    if (token.released) return;
    token.released = true;
    const tree = this.engine.tree;
    for (let i = 0; i < token.edges.length; i++) {
      tree.edgeVirtual[token.edges[i]!]! -= 1;
      tree.nodeVirtual[token.nodes[i]!]! -= 1;
    }
  }

  private cancelAll(): void {
    for (const token of this.tokens) {
      if (!token.cancelled) {
        token.cancelled = true;
        this.releaseVirtual(token);
      }
    }
    this.tokens.clear();
    this.active = 0;
    this.pendingExpand.clear();
    this.pendingChild.clear();
    this.pendingGenerations.clear();
  }

  private abandon(reason: StopReason): void {
    if (this.finished) return;
    this.stopReason = reason;
    this.cancelAll();
    this.finish();
  }

  private cleanup(): void {
    this.finished = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort && this.budget.signal) this.budget.signal.removeEventListener("abort", this.onAbort);
    this.engine.selector.virtual = false;
  }

  private finish(): void {
    if (this.finished) return;
    this.cleanup();
    this.resolve(buildResult(this.engine, this.completed, this.stopReason, performance.now() - this.start));
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.cancelAll();
    this.cleanup();
    this.reject(error);
  }

  private async expand(node: number, state: S, token: SimToken): Promise<void> {
    let pending = this.pendingExpand.get(node);
    if (!pending) {
      const model = this.engine.model;
      const tree = this.engine.tree;
      pending = (async () => {
        const actions = await model.actions(state);
        if (!Array.isArray(actions)) throw new MctsModelError("actions", "must return an array");
        let priors: ArrayLike<number> | undefined;
        if (model.prior !== undefined && actions.length > 0) priors = await model.prior(state, actions);
        if (!token.cancelled && !(tree.flags[node]! & FLAG_EXPANDED)) tree.expand(node, actions, priors);
      })();
      const mine = pending;
      const clear = () => {
        if (this.pendingExpand.get(node) === mine) this.pendingExpand.delete(node);
      };
      mine.then(clear, clear);
      this.pendingExpand.set(node, mine);
    }
    await pending;
  }

  private async step(state: S, action: A): Promise<StepResult<S>> {
    const result = this.engine.model.step(state, action, this.engine.rng);
    return copyStep(isPromiseLike(result) ? await result : result);
  }

  private async evaluate(state: S): Promise<number> {
    if (this.batcher) {
      const value = this.batcher.request(state);
      this.maybeFlush();
      return value;
    }
    return checkedValue("evaluate", await this.engine.model.evaluate!(state));
  }

  /** Leaf value of a non-terminal state (rollout, then the value function); 0 once the token is cancelled. */
  private leafValue(state: S, token: SimToken): Promise<number> {
    return rolloutValue(this.engine, state, () => token.cancelled, (s, a) => this.step(s, a), this.hasEvaluate ? (s) => this.evaluate(s) : undefined);
  }

  /** Stores a step's outcome as a child of `edge` unless the node cap is reached (then NONE). */
  private addChild(edge: number, result: StepResult<S>, key: string | number | undefined): number {
    const engine = this.engine;
    const tree = engine.tree;
    if (tree.nodeCount >= engine.cfg.maxNodes) return NONE;
    const child = tree.addNode(edge, result.state, result.reward, result.terminal);
    if (engine.cfg.loop === LOOP_SAMPLED) {
      tree.keys[child] = key;
      tree.nextOutcome[child] = tree.edgeChild[edge]!;
    }
    tree.edgeChild[edge] = child;
    return child;
  }

  /** Generates one open-loop realization of `child` from `state`, counting it as pending meanwhile. */
  private async generate(child: number, state: S, action: A, token: SimToken): Promise<number> {
    const engine = this.engine;
    const cfg = engine.cfg;
    this.pendingGenerations.set(child, (this.pendingGenerations.get(child) ?? 0) + 1);
    let result: StepResult<S>;
    try {
      result = await this.step(state, action);
    } finally {
      if (!token.cancelled) this.pendingGenerations.set(child, (this.pendingGenerations.get(child) ?? 1) - 1);
    }
    if (token.cancelled) return NONE;
    let value = 0;
    if (!cfg.cacheUniform && !result.terminal) value = await this.leafValue(result.state, token);
    if (token.cancelled) return NONE;
    const tree = engine.tree;
    const fresh = tree.addRealization(child, result.state, result.reward, result.terminal);
    if (!cfg.cacheUniform) {
      tree.realVisits[fresh] = 1;
      tree.realValue[fresh] = value;
      evictToCapacity(tree, child, cfg.cacheCapacity);
    }
    return fresh;
  }

  /** One simulation; mirrors the synchronous one, with virtual loss on its path while it is in flight. */
  private async simulate(token: SimToken): Promise<void> {
    const engine = this.engine;
    const tree = engine.tree;
    const cfg = engine.cfg;
    const loop = cfg.loop;
    let node = engine.root;
    let real = engine.rootReal;
    let state = real >= 0 ? (tree.realStates[real] as S) : tree.states[node]!;
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
        value = await this.leafValue(state, token);
        if (token.cancelled) return;
        leaf = node;
        leafReal = real;
        break;
      }
      if (!(tree.flags[node]! & FLAG_EXPANDED)) {
        await this.expand(node, state, token);
        if (token.cancelled) return;
      }
      if (tree.edgeCount[node] === 0) {
        leaf = node;
        leafReal = real;
        break;
      }
      const edge = engine.selector.select(tree, node, depth);
      tree.edgeVirtual[edge]! += 1;
      tree.nodeVirtual[node]! += 1;
      token.nodes.push(node);
      token.edges.push(edge);
      token.reals.push(real);
      const action = tree.actions[node]![edge - tree.firstEdge[node]!]!;
      depth++;
      let child = tree.edgeChild[edge]!;
      if (child < 0 && loop !== LOOP_SAMPLED) {
        const pending = this.pendingChild.get(edge);
        if (pending) {
          await pending;
          if (token.cancelled) return;
          child = tree.edgeChild[edge]!;
        }
      }
      if (loop === LOOP_DETERMINISTIC) {
        if (child >= 0) {
          token.rewards.push(tree.reward[child]!);
          node = child;
          state = tree.states[child]!;
          continue;
        }
      } else if (loop === LOOP_SAMPLED) {
        const sample = !cfg.widening || outcomeCount(tree, edge) < cfg.wideningK * Math.pow(Math.max(1, tree.edgeVisits[edge]!), cfg.wideningAlpha);
        if (!sample) {
          child = visitWeightedOutcome(tree, edge, engine.rng);
          token.rewards.push(tree.reward[child]!);
          node = child;
          state = tree.states[child]!;
          continue;
        }
        const result = await this.step(state, action);
        if (token.cancelled) return;
        token.rewards.push(result.reward);
        const key = cfg.outcomeKey ? cfg.outcomeKey(result.state) : undefined;
        const existing = key === undefined ? NONE : findOutcome(tree, edge, key);
        if (existing >= 0) {
          node = existing;
          state = tree.states[existing]!;
          continue;
        }
        leaf = this.addChild(edge, result, key);
        if (leaf >= 0 && cfg.expandLeaves && !result.terminal) await this.expand(leaf, result.state, token);
        if (token.cancelled) return;
        value = result.terminal ? 0 : await this.leafValue(result.state, token);
        if (token.cancelled) return;
        if (leaf >= 0) tree.rawValue[leaf] = value;
        break;
      } else if (child >= 0) {
        const held = tree.realCount[child]!;
        const count = held + (this.pendingGenerations.get(child) ?? 0);
        const generate = cfg.cacheUniform ? count < cfg.cacheCapacity || held === 0 : cfg.cacheAlwaysGenerate || count < cfg.cacheCapacity || held === 0;
        if (generate) {
          const fresh = await this.generate(child, state, action, token);
          if (token.cancelled) return;
          real = fresh;
        }
        if (!cfg.cacheUniform) real = softmaxRealization(tree, child, cfg.cacheTemperature, engine.rng);
        else if (!generate) real = uniformRealization(tree, child, engine.rng);
        token.rewards.push(tree.realReward[real]!);
        node = child;
        state = tree.realStates[real] as S;
        continue;
      }
      // A new node behind `edge` (deterministic or open loop); other simulations wait for it.
      let release: () => void = () => {};
      const marker = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.pendingChild.set(edge, marker);
      let result: StepResult<S>;
      try {
        result = await this.step(state, action);
        if (!token.cancelled) leaf = this.addChild(edge, result, undefined);
      } finally {
        if (this.pendingChild.get(edge) === marker) this.pendingChild.delete(edge);
        release();
      }
      if (token.cancelled) return;
      token.rewards.push(result.reward);
      if (leaf >= 0 && loop === LOOP_OPEN) leafReal = tree.addRealization(leaf, result.state, result.reward, result.terminal);
      if (leaf >= 0 && cfg.expandLeaves && !result.terminal) await this.expand(leaf, result.state, token);
      if (token.cancelled) return;
      value = result.terminal ? 0 : await this.leafValue(result.state, token);
      if (token.cancelled) return;
      if (leaf >= 0) tree.rawValue[leaf] = value;
      break;
    }
    this.releaseVirtual(token);
    backup(engine, token.nodes, token.edges, token.reals, token.rewards, token.nodes.length, leaf, leafReal, value);
  }
}

/** Runs an asynchronous search on `engine` (see {@link Mcts.searchAsync}). */
export async function runAsyncSearch<S, A>(engine: Mcts<S, A>, budget: SearchBudget): Promise<SearchResult<S, A>> {
  const start = performance.now();
  const deadline = resolveBudget(budget, start);
  return new AsyncRun(engine, budget, start, deadline).run();
}
