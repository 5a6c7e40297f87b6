import type { Rng } from "./rng.js";

/** A value or a promise of it: every model call may be synchronous or asynchronous. */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * What one model step returns. The engine copies the three fields before its next call, so a model may return
 * the same (reused) object every time and allocate nothing.
 */
export interface StepResult<S> {
  /** The next state (closed loop: a node; open loop: a realization). */
  state: S;
  /** Reward on the transition, for the player who acted (two-player) or the agent (single-agent). */
  reward: number;
  /** True when the next state ends the episode. */
  terminal: boolean;
}

/**
 * The generative model the search is written against. Every method may return a value or a promise; the
 * synchronous `search` requires values, `searchAsync` accepts both.
 */
export interface GenerativeModel<S, A> {
  /**
   * Legal actions at a state; an empty list makes the state a dead end (treated as terminal). The engine always
   * passes its seeded generator `rng`, so a sampled action set (SCOPE's action model) is reproducible; it is
   * optional in this signature only so that existing callers of `model.actions(state)` still compile (an
   * implementation may declare it required).
   */
  actions(state: S, rng?: Rng): MaybePromise<readonly A[]>;
  /** Prior weights over `actions` (normalised by the engine); uniform when the model has no prior. */
  prior?(state: S, actions: readonly A[]): MaybePromise<ArrayLike<number>>;
  /** Samples one transition. */
  step(state: S, action: A, rng: Rng): MaybePromise<StepResult<S>>;
  /**
   * Samples many transitions at once (a learned world model run 64–256 rows at a time); `searchAsync` then
   * gathers the steps of its simulations in flight (descent, expansion and rollouts) into batches of up to
   * `stepBatchSize`. Returns one result per request, in order.
   */
  stepBatch?(requests: readonly StepRequest<S, A>[], rng: Rng): MaybePromise<ArrayLike<StepResult<S>>>;
  /** Leaf value of a state, from the perspective of the player to move there (two-player) or the agent. */
  evaluate?(state: S): MaybePromise<number>;
  /** Leaf values of many states at once (an ONNX batch, concurrent LLM calls); preferred by `searchAsync`. */
  evaluateBatch?(states: readonly S[]): MaybePromise<ArrayLike<number>>;
}

/** One transition to sample in a {@link GenerativeModel.stepBatch} call. */
export interface StepRequest<S, A> {
  state: S;
  action: A;
}

/** What a rollout policy knows about the rollout so far (reward-aware simulation). */
export interface RolloutInfo {
  /** Steps taken in this rollout before this one. */
  depth: number;
  /** Reward of the previous rollout step (or of the transition into the leaf at depth 0), for the player who acted. */
  lastReward: number;
  /** Discounted return of the rollout so far, from the leaf's player's perspective. */
  totalReward: number;
}

/**
 * The default policy of rollouts: picks an action among `actions`; uniform random when absent. The fourth
 * argument tells it the step rewards seen so far.
 */
export type RolloutPolicy<S, A> = (state: S, actions: readonly A[], rng: Rng, info: RolloutInfo) => MaybePromise<A>;

/**
 * How an action is chosen inside the tree.
 * - `uct`: Q̂ + c·√(ln N / n); unvisited actions first (highest prior first).
 * - `puct`: AlphaZero's Q̂ + c·P·√ΣN / (1 + n); ties go to the higher prior.
 * - `muzero`: mctx's Q̂ + (pb_c_init + ln((N + pb_c_base + 1) / pb_c_base))·P·√N / (1 + n).
 * - `gumbel`: Gumbel MuZero; at the root sequential halving over the top `maxConsideredActions` actions by
 *   g + logits + σ(q̂), elsewhere the deterministic selection that matches visits to softmax(logits + σ(q̂)).
 */
export type SelectionRule =
  | { kind: "uct"; c: number }
  | { kind: "puct"; c: number }
  | { kind: "muzero"; pbCInit?: number; pbCBase?: number }
  | { kind: "gumbel"; maxConsideredActions?: number; gumbelScale?: number };

/**
 * How Q values are transformed before selection (Q̂ above).
 * - `none`: the mean return; unvisited actions get `initialQ`.
 * - `minMax`: (Q − min) / (max − min) over fixed bounds, or over every Q seen in the tree when bounds are absent
 *   (MuZero's MinMaxStats); unvisited actions get `initialQ`.
 * - `parentAndSiblings`: mctx's `qtransform_by_parent_and_siblings` (min-max over the node's value and its
 *   children's Q, unvisited → 0).
 * - `completedByMixValue`: mctx's `qtransform_completed_by_mix_value` ((maxVisitInit + max n)·valueScale·q with
 *   unvisited actions completed by the mixed value).
 */
export type ValueTransform =
  | { kind: "none" }
  | { kind: "minMax"; min?: number; max?: number }
  | { kind: "parentAndSiblings"; epsilon?: number }
  | {
      kind: "completedByMixValue";
      valueScale?: number;
      maxVisitInit?: number;
      rescaleValues?: boolean;
      useMixedValue?: boolean;
      epsilon?: number;
    };

/**
 * Closed-loop outcome handling (a node is a state).
 * - `deterministic`: each action is stepped once and its outcome stored (the model is treated as deterministic).
 * - `sampled`: the model is stepped on every traversal; outcomes with the same `key` share a node; with
 *   `widening`, a new outcome is sampled only while the action has fewer than k·N^α outcomes, otherwise an
 *   existing one is revisited in proportion to its visits.
 */
export type OutcomePolicy<S> =
  | { kind: "deterministic" }
  | {
      kind: "sampled";
      key?: (state: S) => string | number;
      widening?: { k: number; alpha: number };
    };

/**
 * Open-loop realization caches (a node is an action sequence holding concrete states).
 * - `uniform` (GDP-Zero): generate new realizations until `k` are held, then reuse one uniformly at random.
 * - `topValue` (SMCTS-TOD): each new realization is evaluated, the `capacity` best by value are kept, and the one
 *   to continue from is sampled by softmax(value / temperature). `generate: "always"` (default) generates on every
 *   visit; `"untilFull"` stops generating once `capacity` are held.
 */
export type RealizationCache<S = unknown> =
  | { kind: "uniform"; k: number }
  | {
      kind: "topValue";
      capacity: number;
      temperature: number;
      generate?: "always" | "untilFull";
      /**
       * The score that ranks realizations, both for keeping the top `capacity` and for softmax(score / temperature)
       * sampling: SMCTS-TOD's V̄(h), a static value of the history, computed once when a realization is generated.
       * Default: reward + γ·running value for the player who acted (−γ in two-player games), as `bestRealization`.
       */
      score?: RealizationScore<S>;
    };

/** A caller-supplied realization score: higher is better for the player who acted into the realization. */
export type RealizationScore<S> = (state: S, reward: number, terminal: boolean) => MaybePromise<number>;

/** The loop mode: closed (node = state) or open (node = action sequence with cached realizations). */
export type LoopMode<S> =
  | { kind: "closed"; outcomes?: OutcomePolicy<S> }
  | {
      kind: "open";
      cache: RealizationCache<S>;
      /**
       * Compute the prior P(·|h) for each realization h (SMCTS-TOD) instead of once per node from its first
       * realization: selection at a node uses the prior of the realization the simulation continues from.
       */
      priorPerRealization?: boolean;
    };

/** How the action to play is chosen from the root statistics. */
export type FinalChoice = "mostVisits" | "bestQ" | "sample" | "gumbel";

/** Leaf evaluation by rollouts with a default policy. */
export interface RolloutOptions<S, A> {
  /** Maximum rollout steps beyond the leaf (Infinity: to the end of the episode). */
  depth: number;
  /**
   * The default policy: a function, `"random"` (uniform, the default) or `"maxReward"` (ChatSOP: step every
   * action and follow the one with the highest reward; ties go to the first).
   */
  policy?: RolloutPolicy<S, A> | "random" | "maxReward";
}

/**
 * Best-of-K expansion (SMCTS-TOD Eq. 21–25): every new transition in the tree (a new node, realization or
 * sampled outcome) is sampled `candidates` times and the candidate with the highest `score` is kept.
 */
export interface ExpansionOptions<S, A> {
  /** Candidate transitions per expansion (K ≥ 1). */
  candidates: number;
  /** Scores a candidate (higher is better); `state` and `action` are the parent state and the expanded action. */
  score: (candidate: StepResult<S>, state: S, action: A) => MaybePromise<number>;
}

/** Every setting of a search; all optional with the defaults noted. */
export interface SearchOptions<S, A> {
  /** Seed of the engine's generator (default 0). */
  seed?: number | string;
  /** Selection inside the tree (default UCT with c = √2). */
  selection?: SelectionRule;
  /** Selection at the root only (default: `selection`). */
  rootSelection?: SelectionRule;
  /** Q transform (default `none`, or `completedByMixValue` for Gumbel). */
  valueTransform?: ValueTransform;
  /** Q₀ of unvisited actions for the `none` and `minMax` transforms (default 0). */
  initialQ?: number;
  /**
   * Discount γ in [−1, 1] (default 1). A negative discount is mctx's two-player convention: `discount: −γ` is the
   * same search as `players: 2, discount: γ` (values flip sign between plies).
   */
  discount?: number;
  /** 1 = single agent, 2 = two-player zero-sum (values flip sign between plies). Default 1. */
  players?: 1 | 2;
  /** Loop mode (default closed, deterministic outcomes). */
  loop?: LoopMode<S>;
  /**
   * Rollouts from each new leaf. Default: to the end of the episode with a uniform policy when the model has no
   * value function, none when it has. With both, the value function bootstraps the rollout's last state.
   */
  rollout?: RolloutOptions<S, A>;
  /**
   * Create a new node's edges (actions and priors) as soon as the node is created, as mctx does, instead of on
   * its first traversal (default false, which stores no edges for leaves).
   */
  expandLeaves?: boolean;
  /** Best-of-K expansion (default: one sample per transition). */
  expansion?: ExpansionOptions<S, A>;
  /**
   * How returns are backed up: `mean` (default) averages them; `max` backs up r + γ·V(child) where a node's V is
   * the highest Q among its visited actions (its own evaluation while it has none), edges averaging those.
   */
  backup?: "mean" | "max";
  /**
   * What one simulation backs up at each edge of its path: `sum` (default) the discounted sum of the rewards from
   * that edge to the end of the simulation (rollout and bootstrap value included), `mean` their mean (RAP's
   * "mean of future rewards", so a long path earns no more than a short one; a value-function bootstrap counts as
   * one more reward). `mean` needs the default closed loop and `mean` backup.
   */
  returns?: "sum" | "mean";
  /**
   * mctx's invalid-action mask: called at every expansion, `true` marks an action the search must never take
   * (it gets no edge; priors are renormalised over the rest, as mctx's masked softmax).
   */
  invalidActions?: (state: S, actions: readonly A[]) => ArrayLike<boolean>;
  /** AlphaZero's Dirichlet root noise α (with `dirichletFraction` > 0; default 0.3 as mctx). */
  dirichletAlpha?: number;
  /** AlphaZero's ε: root priors become (1 − ε)·P + ε·Dir(α), drawn afresh for each search (default 0: none). */
  dirichletFraction?: number;
  /** Tree depth at which nodes are evaluated as leaves instead of expanded (default unlimited). */
  maxDepth?: number;
  /** Node cap: beyond it no node is stored (leaves are evaluated in place) and `advance` prunes to it. */
  maxNodes?: number;
  /** Simulations in flight in `searchAsync` (default 1). */
  concurrency?: number;
  /** Leaf evaluations gathered per `evaluateBatch` call in `searchAsync` (default = concurrency). */
  batchSize?: number;
  /** Steps gathered per `stepBatch` call in `searchAsync` (default = batchSize). */
  stepBatchSize?: number;
  /**
   * `searchAsync` advances the simulations in flight in rounds, so that the tree does not depend on which model
   * call answers first (default false): each runs until it waits on the model, the driver waits for all of those
   * calls to settle, then resumes them in launch order. Same seed and answers → same requests in the same order,
   * whatever the latency (a recorded run replays); the price is that a round lasts as long as its slowest call.
   */
  lockstep?: boolean;
  /** Value subtracted per in-flight visit while a simulation is pending (default 1). */
  virtualLoss?: number;
  /** Final action choice (default `mostVisits`, or `gumbel` for Gumbel search). */
  finalChoice?: FinalChoice;
  /** Temperature of the visit policy π(a) ∝ N(a)^(1/T) (default 1; 0 = greedy). */
  temperature?: number;
  /** Identity of actions for `advance` (default `===`). */
  actionKey?: (action: A) => unknown;
}

/** When a search stops; at least one of iterations, timeMs, deadline, custom or signal. */
export interface SearchBudget {
  /** Number of simulations. */
  iterations?: number;
  /** Wall-clock budget in milliseconds from the start of the call (monotonic clock). */
  timeMs?: number;
  /** Absolute deadline on `performance.now()`'s monotonic clock. */
  deadline?: number;
  /** Aborting ends the search with the best result so far. */
  signal?: AbortSignal;
  /** A caller-defined budget (tokens, LLM calls): the search stops once `exhausted()` is true. */
  custom?: { name: string; exhausted(): boolean };
}

/** Which budget ended a search. */
export type StopReason = "iterations" | "time" | "aborted" | "custom";

/** Statistics of one root action. */
export interface ActionStats<A> {
  action: A;
  /** Visits N(a). */
  visits: number;
  /** Mean return Q(a) from the root player's perspective (NaN when unvisited). */
  q: number;
  /** Normalised prior P(a). */
  prior: number;
  /** Visit policy π(a) ∝ N(a)^(1/T). */
  policy: number;
}

/** A concrete state reached by the chosen action, with its statistics. */
export interface ChosenRealization<S> {
  state: S;
  reward: number;
  /** Running mean return from this realization (or outcome node). */
  value: number;
  visits: number;
}

/** What a search returns: always the best so far, and why it stopped. */
export interface SearchResult<S, A> {
  action: A;
  actionIndex: number;
  actions: ActionStats<A>[];
  /** Gumbel MuZero's improved policy softmax(logits + σ(completed q)); present for Gumbel searches. */
  improvedPolicy?: number[];
  /**
   * The best concrete next state of the chosen action, when one is stored (no re-generation needed): open loop,
   * the visited realization with the highest reward + γ·value for the acting player (−γ in two-player games);
   * closed loop, the child state or the most-visited outcome.
   */
  realization?: ChosenRealization<S>;
  rootValue: number;
  rootVisits: number;
  /** Simulations completed by this call. */
  iterations: number;
  stopReason: StopReason;
  elapsedMs: number;
  nodeCount: number;
}
