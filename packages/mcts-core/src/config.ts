import type {
  ExpansionOptions,
  FinalChoice,
  GenerativeModel,
  RealizationScore,
  RolloutPolicy,
  SearchOptions,
  SelectionRule,
  ValueTransform,
} from "./types.js";

/** Selection rule code: UCT. Rules, transforms and loops are small integers so the hot loop switches on them. */
export const RULE_UCT = 0;
/** Selection rule code: AlphaZero PUCT. */
export const RULE_PUCT = 1;
/** Selection rule code: mctx MuZero PUCT. */
export const RULE_MUZERO = 2;
/** Selection rule code: Gumbel MuZero. */
export const RULE_GUMBEL = 3;
/** A selection rule code. */
export type Rule = 0 | 1 | 2 | 3;

/** Q transform code: none. */
export const T_NONE = 0;
/** Q transform code: min-max. */
export const T_MINMAX = 1;
/** Q transform code: mctx parent-and-siblings. */
export const T_PARENT_SIBLINGS = 2;
/** Q transform code: mctx completed-by-mix-value. */
export const T_MIX = 3;
/** A Q transform code. */
export type Transform = 0 | 1 | 2 | 3;

/** Loop code: closed loop with deterministic outcomes. */
export const LOOP_DETERMINISTIC = 0;
/** Loop code: closed loop with sampled outcomes. */
export const LOOP_SAMPLED = 1;
/** Loop code: open loop with realization caches. */
export const LOOP_OPEN = 2;
/** A loop code. */
export type LoopKind = 0 | 1 | 2;

/** A selection rule resolved to numbers. */
export interface RuleConfig {
  code: Rule;
  c: number;
  pbCInit: number;
  pbCBase: number;
  maxConsidered: number;
  gumbelScale: number;
}

/** Every option of a search, validated and resolved to plain numbers and flags. */
export interface Config<S, A> {
  interior: RuleConfig;
  root: RuleConfig;
  /** Q transform below the root. */
  transform: Transform;
  /** Q transform at the root (differs from `transform` only when the default follows a root-only Gumbel rule). */
  rootTransform: Transform;
  minMaxFixed: boolean;
  minValue: number;
  maxValue: number;
  epsilon: number;
  valueScale: number;
  maxVisitInit: number;
  rescaleValues: boolean;
  useMixedValue: boolean;
  initialQ: number;
  discount: number;
  /** γ, negated for two-player games: the factor applied to a child's value in a backup. */
  childFactor: number;
  players: 1 | 2;
  loop: LoopKind;
  outcomeKey: ((state: S) => string | number) | undefined;
  widening: boolean;
  wideningK: number;
  wideningAlpha: number;
  cacheUniform: boolean;
  cacheCapacity: number;
  cacheTemperature: number;
  cacheAlwaysGenerate: boolean;
  cacheScore: RealizationScore<S> | undefined;
  priorPerRealization: boolean;
  /** Whether the model has a value function (`evaluate` or `evaluateBatch`). */
  hasValue: boolean;
  rolloutDepth: number;
  rolloutPolicy: RolloutPolicy<S, A> | undefined;
  /** ChatSOP's reward-greedy rollouts: step every action, follow the highest reward. */
  rolloutMaxReward: boolean;
  expansionCandidates: number;
  expansionScore: ExpansionOptions<S, A>["score"] | undefined;
  backupMax: boolean;
  /** Back up the mean of the future rewards along the path instead of their sum (`returns: "mean"`). */
  meanReturns: boolean;
  invalidActions: ((state: S, actions: readonly A[]) => ArrayLike<boolean>) | undefined;
  dirichletAlpha: number;
  dirichletFraction: number;
  expandLeaves: boolean;
  maxDepth: number;
  maxNodes: number;
  concurrency: number;
  batchSize: number;
  stepBatchSize: number;
  lockstep: boolean;
  virtualLoss: number;
  finalChoice: FinalChoice;
  temperature: number;
  actionKey: ((action: A) => unknown) | undefined;
  seed: number | string;
}

/** An invalid search option; the message names the option. */
export class MctsConfigError extends Error {
  constructor(option: string, message: string) {
    super(`mcts option ${option}: ${message}`);
    this.name = "MctsConfigError";
  }
}

function finite(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new MctsConfigError(name, `must be a finite number, got ${String(value)}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  finite(name, value);
  if (value < 0) throw new MctsConfigError(name, `must be ≥ 0, got ${value}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

/** Rejects keys of `value` outside `allowed`, naming the first unknown one (a misspelt option must not be ignored). */
export function knownKeys(name: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const prefix = name === "" ? key : `${name}.${key}`;
      throw new MctsConfigError(prefix, `unknown option (known: ${allowed.join(", ")})`);
    }
  }
}

const OPTION_KEYS = [
  "seed",
  "selection",
  "rootSelection",
  "valueTransform",
  "initialQ",
  "discount",
  "players",
  "loop",
  "rollout",
  "expansion",
  "backup",
  "returns",
  "invalidActions",
  "dirichletAlpha",
  "dirichletFraction",
  "expandLeaves",
  "maxDepth",
  "maxNodes",
  "concurrency",
  "batchSize",
  "stepBatchSize",
  "lockstep",
  "virtualLoss",
  "finalChoice",
  "temperature",
  "actionKey",
] as const;

const RULE_KEYS: Record<string, readonly string[]> = {
  uct: ["kind", "c"],
  puct: ["kind", "c"],
  muzero: ["kind", "pbCInit", "pbCBase"],
  gumbel: ["kind", "maxConsideredActions", "gumbelScale"],
};

const TRANSFORM_KEYS: Record<string, readonly string[]> = {
  none: ["kind"],
  minMax: ["kind", "min", "max"],
  parentAndSiblings: ["kind", "epsilon"],
  completedByMixValue: ["kind", "valueScale", "maxVisitInit", "rescaleValues", "useMixedValue", "epsilon"],
};

/** The keys a search budget may have. */
export const BUDGET_KEYS = ["iterations", "timeMs", "deadline", "signal", "custom"] as const;

/** Rejects unknown keys of `value` (an object with a kind) given the known keys per kind. */
function knownKindKeys(name: string, value: object, table: Record<string, readonly string[]>): void {
  const allowed = table[String((value as { kind?: unknown }).kind)];
  if (allowed) knownKeys(name, value, allowed);
}

function positive(name: string, value: number, allowInfinity = false): number {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new MctsConfigError(name, `must be a positive number, got ${String(value)}`);
  }
  return value;
}

function positiveInt(name: string, value: number, allowInfinity = false): number {
  positive(name, value, allowInfinity);
  if (Number.isFinite(value) && !Number.isInteger(value)) throw new MctsConfigError(name, `must be an integer, got ${value}`);
  return value;
}

function resolveRule(name: string, rule: SelectionRule): RuleConfig {
  if (!isObject(rule)) throw new MctsConfigError(name, `must be an object with a kind, got ${String(rule)}`);
  knownKindKeys(name, rule, RULE_KEYS);
  const base: RuleConfig = { code: RULE_UCT, c: Math.SQRT2, pbCInit: 1.25, pbCBase: 19652, maxConsidered: 16, gumbelScale: 1 };
  switch (rule.kind) {
    case "uct":
      return { ...base, code: RULE_UCT, c: nonNegative(`${name}.c`, rule.c) };
    case "puct":
      return { ...base, code: RULE_PUCT, c: nonNegative(`${name}.c`, rule.c) };
    case "muzero":
      return {
        ...base,
        code: RULE_MUZERO,
        pbCInit: nonNegative(`${name}.pbCInit`, rule.pbCInit ?? 1.25),
        pbCBase: positive(`${name}.pbCBase`, rule.pbCBase ?? 19652),
      };
    case "gumbel":
      return {
        ...base,
        code: RULE_GUMBEL,
        maxConsidered: positiveInt(`${name}.maxConsideredActions`, rule.maxConsideredActions ?? 16),
        gumbelScale: nonNegative(`${name}.gumbelScale`, rule.gumbelScale ?? 1),
      };
    default:
      throw new MctsConfigError(name, `unknown selection kind "${(rule as { kind: string }).kind}"`);
  }
}

function resolveTransform<S, A>(transform: ValueTransform, config: Config<S, A>): void {
  if (!isObject(transform)) throw new MctsConfigError("valueTransform", `must be an object with a kind, got ${String(transform)}`);
  knownKindKeys("valueTransform", transform, TRANSFORM_KEYS);
  switch (transform.kind) {
    case "none":
      config.transform = T_NONE;
      return;
    case "minMax":
      config.transform = T_MINMAX;
      if ((transform.min === undefined) !== (transform.max === undefined)) {
        throw new MctsConfigError("valueTransform", "minMax needs both min and max, or neither");
      }
      if (transform.min !== undefined && transform.max !== undefined) {
        config.minMaxFixed = true;
        config.minValue = finite("valueTransform.min", transform.min);
        config.maxValue = finite("valueTransform.max", transform.max);
        if (config.maxValue <= config.minValue) throw new MctsConfigError("valueTransform.max", "must exceed min");
      }
      return;
    case "parentAndSiblings":
      config.transform = T_PARENT_SIBLINGS;
      config.epsilon = positive("valueTransform.epsilon", transform.epsilon ?? 1e-8);
      return;
    case "completedByMixValue":
      config.transform = T_MIX;
      config.valueScale = nonNegative("valueTransform.valueScale", transform.valueScale ?? 0.1);
      config.maxVisitInit = nonNegative("valueTransform.maxVisitInit", transform.maxVisitInit ?? 50);
      config.rescaleValues = transform.rescaleValues ?? true;
      config.useMixedValue = transform.useMixedValue ?? true;
      config.epsilon = positive("valueTransform.epsilon", transform.epsilon ?? 1e-8);
      return;
    default:
      throw new MctsConfigError("valueTransform", `unknown kind "${(transform as { kind: string }).kind}"`);
  }
}

/** Validates options and resolves defaults; throws {@link MctsConfigError} naming the bad option. */
export function resolveConfig<S, A>(model: GenerativeModel<S, A>, options: SearchOptions<S, A>): Config<S, A> {
  if (typeof model?.actions !== "function" || typeof model.step !== "function") {
    throw new MctsConfigError("model", "must provide actions(state, rng) and step(state, action, rng)");
  }
  if (options === null || typeof options !== "object") throw new MctsConfigError("options", `must be an object, got ${String(options)}`);
  knownKeys("", options, OPTION_KEYS);
  const interiorRule = options.selection ?? { kind: "uct", c: Math.SQRT2 };
  const interior = resolveRule("selection", interiorRule);
  const root = options.rootSelection ? resolveRule("rootSelection", options.rootSelection) : interior;
  const hasValue = typeof model.evaluate === "function" || typeof model.evaluateBatch === "function";
  const signedDiscount = finite("discount", options.discount ?? 1);
  if (signedDiscount < -1 || signedDiscount > 1) throw new MctsConfigError("discount", `must lie in [-1, 1], got ${signedDiscount}`);
  let players = options.players ?? 1;
  if (players !== 1 && players !== 2) throw new MctsConfigError("players", `must be 1 or 2, got ${String(players)}`);
  // mctx's two-player convention: a negative discount flips the value's sign at every ply.
  const discount = Math.abs(signedDiscount);
  if (signedDiscount < 0) {
    if (options.players === 1) throw new MctsConfigError("discount", "a negative discount means two players (mctx's convention); it contradicts players: 1");
    players = 2;
  }
  const config: Config<S, A> = {
    interior,
    root,
    transform: T_NONE,
    rootTransform: T_NONE,
    minMaxFixed: false,
    minValue: 0,
    maxValue: 1,
    epsilon: 1e-8,
    valueScale: 0.1,
    maxVisitInit: 50,
    rescaleValues: true,
    useMixedValue: true,
    initialQ: finite("initialQ", options.initialQ ?? 0),
    discount,
    childFactor: players === 2 ? -discount : discount,
    players,
    loop: LOOP_DETERMINISTIC,
    outcomeKey: undefined,
    widening: false,
    wideningK: 1,
    wideningAlpha: 0.5,
    cacheUniform: true,
    cacheCapacity: 1,
    cacheTemperature: 1,
    cacheAlwaysGenerate: true,
    cacheScore: undefined,
    priorPerRealization: false,
    hasValue,
    rolloutDepth: hasValue ? 0 : Infinity,
    rolloutPolicy: undefined,
    rolloutMaxReward: false,
    expansionCandidates: 1,
    expansionScore: undefined,
    backupMax: false,
    meanReturns: false,
    invalidActions: undefined,
    dirichletAlpha: positive("dirichletAlpha", options.dirichletAlpha ?? 0.3),
    dirichletFraction: finite("dirichletFraction", options.dirichletFraction ?? 0),
    expandLeaves: options.expandLeaves === true,
    maxDepth: Infinity,
    maxNodes: Infinity,
    concurrency: 1,
    batchSize: 1,
    stepBatchSize: 1,
    lockstep: options.lockstep === true,
    virtualLoss: nonNegative("virtualLoss", options.virtualLoss ?? 1),
    finalChoice: options.finalChoice ?? (root.code === RULE_GUMBEL ? "gumbel" : "mostVisits"),
    temperature: finite("temperature", options.temperature ?? 1),
    actionKey: options.actionKey,
    seed: options.seed ?? 0,
  };
  const seed = config.seed;
  if (!(typeof seed === "string" || (typeof seed === "number" && Number.isFinite(seed)))) {
    throw new MctsConfigError("seed", `must be a finite number or a string, got ${String(seed)}`);
  }
  if (options.valueTransform !== undefined) {
    resolveTransform(options.valueTransform, config);
    config.rootTransform = config.transform;
  } else {
    // The default follows each rule: Gumbel's completed Q only where Gumbel selects (never leaking into a UCT or
    // PUCT interior below a Gumbel root).
    resolveTransform(interior.code === RULE_GUMBEL ? { kind: "completedByMixValue" } : { kind: "none" }, config);
    const interiorTransform = config.transform;
    resolveTransform(root.code === RULE_GUMBEL ? { kind: "completedByMixValue" } : { kind: "none" }, config);
    config.rootTransform = config.transform;
    config.transform = interiorTransform;
  }
  if (config.dirichletFraction < 0 || config.dirichletFraction > 1) throw new MctsConfigError("dirichletFraction", `must lie in [0, 1], got ${config.dirichletFraction}`);
  if (options.backup !== undefined && options.backup !== "mean" && options.backup !== "max") {
    throw new MctsConfigError("backup", `must be "mean" or "max", got ${String(options.backup)}`);
  }
  config.backupMax = options.backup === "max";
  if (options.invalidActions !== undefined) {
    if (typeof options.invalidActions !== "function") throw new MctsConfigError("invalidActions", "must be a function (state, actions) → boolean mask");
    config.invalidActions = options.invalidActions;
  }
  if (options.expansion !== undefined) {
    const expansion = options.expansion;
    if (expansion === null || typeof expansion !== "object") throw new MctsConfigError("expansion", "must be {candidates, score}");
    knownKeys("expansion", expansion, ["candidates", "score"]);
    config.expansionCandidates = positiveInt("expansion.candidates", expansion.candidates);
    if (typeof expansion.score !== "function") throw new MctsConfigError("expansion.score", "must be a function (candidate, state, action) → number");
    config.expansionScore = expansion.score;
  }
  if (config.temperature < 0) throw new MctsConfigError("temperature", "must be ≥ 0");
  if (!["mostVisits", "bestQ", "sample", "gumbel"].includes(config.finalChoice)) {
    throw new MctsConfigError("finalChoice", `unknown choice "${config.finalChoice}"`);
  }
  if (config.finalChoice === "gumbel" && root.code !== RULE_GUMBEL) {
    throw new MctsConfigError("finalChoice", `"gumbel" needs Gumbel selection at the root`);
  }
  const loop = options.loop ?? { kind: "closed" };
  if (!isObject(loop)) throw new MctsConfigError("loop", `must be an object with a kind, got ${String(loop)}`);
  knownKindKeys("loop", loop, { closed: ["kind", "outcomes"], open: ["kind", "cache", "priorPerRealization"] });
  if (loop.kind === "closed") {
    const outcomes = loop.outcomes ?? { kind: "deterministic" };
    if (!isObject(outcomes)) throw new MctsConfigError("loop.outcomes", `must be an object with a kind, got ${String(outcomes)}`);
    knownKindKeys("loop.outcomes", outcomes, { deterministic: ["kind"], sampled: ["kind", "key", "widening"] });
    if (outcomes.kind === "sampled") {
      config.loop = LOOP_SAMPLED;
      config.outcomeKey = outcomes.key;
      if (outcomes.widening) {
        knownKeys("loop.outcomes.widening", outcomes.widening, ["k", "alpha"]);
        config.widening = true;
        config.wideningK = positive("loop.outcomes.widening.k", outcomes.widening.k);
        config.wideningAlpha = finite("loop.outcomes.widening.alpha", outcomes.widening.alpha);
        if (config.wideningAlpha < 0 || config.wideningAlpha > 1) {
          throw new MctsConfigError("loop.outcomes.widening.alpha", "must lie in [0, 1]");
        }
      }
      if (!outcomes.key && !outcomes.widening) {
        throw new MctsConfigError("loop.outcomes", "sampled outcomes need a key (discrete) or widening (continuous)");
      }
    } else if (outcomes.kind !== "deterministic") {
      throw new MctsConfigError("loop.outcomes", `unknown kind "${(outcomes as { kind: string }).kind}"`);
    }
  } else if (loop.kind === "open") {
    config.loop = LOOP_OPEN;
    config.priorPerRealization = loop.priorPerRealization === true;
    const cache = loop.cache;
    if (!isObject(cache)) throw new MctsConfigError("loop.cache", `open loop needs a cache {kind: "uniform" | "topValue", …}, got ${String(cache)}`);
    knownKindKeys("loop.cache", cache, { uniform: ["kind", "k"], topValue: ["kind", "capacity", "temperature", "generate", "score"] });
    if (cache.kind === "uniform") {
      config.cacheUniform = true;
      config.cacheCapacity = positiveInt("loop.cache.k", cache.k);
    } else if (cache.kind === "topValue") {
      config.cacheUniform = false;
      config.cacheCapacity = positiveInt("loop.cache.capacity", cache.capacity);
      config.cacheTemperature = positive("loop.cache.temperature", cache.temperature);
      const generate = cache.generate ?? "always";
      if (generate !== "always" && generate !== "untilFull") {
        throw new MctsConfigError("loop.cache.generate", `must be "always" or "untilFull", got "${String(generate)}"`);
      }
      config.cacheAlwaysGenerate = generate === "always";
      if (cache.score !== undefined && typeof cache.score !== "function") {
        throw new MctsConfigError("loop.cache.score", "must be a function (state, reward, terminal) → number");
      }
      config.cacheScore = cache.score;
    } else {
      throw new MctsConfigError("loop.cache", `unknown kind "${(cache as { kind: string }).kind}"`);
    }
  } else {
    throw new MctsConfigError("loop", `unknown kind "${(loop as { kind: string }).kind}"`);
  }
  if (options.rollout) {
    if (typeof options.rollout !== "object") throw new MctsConfigError("rollout", "must be {depth, policy?}");
    knownKeys("rollout", options.rollout, ["depth", "policy"]);
    const depth = options.rollout.depth;
    if (typeof depth !== "number" || Number.isNaN(depth) || depth < 0 || (Number.isFinite(depth) && !Number.isInteger(depth))) {
      throw new MctsConfigError("rollout.depth", `must be an integer ≥ 0 (or Infinity), got ${String(depth)}`);
    }
    const policy = options.rollout.policy;
    if (policy !== undefined && typeof policy !== "function" && policy !== "random" && policy !== "maxReward") {
      throw new MctsConfigError("rollout.policy", `must be a function (state, actions, rng, info) → action, "random" or "maxReward", got ${String(policy)}`);
    }
    config.rolloutDepth = depth;
    config.rolloutPolicy = typeof policy === "function" ? policy : undefined;
    config.rolloutMaxReward = policy === "maxReward";
  }
  if (config.rolloutDepth === 0 && !hasValue) {
    throw new MctsConfigError("rollout", "the model has no evaluate/evaluateBatch, so rollouts are needed (depth > 0)");
  }
  if (options.maxDepth !== undefined) config.maxDepth = positiveInt("maxDepth", options.maxDepth, true);
  if (options.maxNodes !== undefined) config.maxNodes = positiveInt("maxNodes", options.maxNodes, true);
  config.concurrency = positiveInt("concurrency", options.concurrency ?? 1);
  config.batchSize = positiveInt("batchSize", options.batchSize ?? config.concurrency);
  config.stepBatchSize = positiveInt("stepBatchSize", options.stepBatchSize ?? config.batchSize);
  if (options.lockstep !== undefined && typeof options.lockstep !== "boolean") {
    throw new MctsConfigError("lockstep", `must be true or false, got ${String(options.lockstep)}`);
  }
  if (options.returns !== undefined && options.returns !== "sum" && options.returns !== "mean") {
    throw new MctsConfigError("returns", `must be "sum" or "mean", got ${String(options.returns)}`);
  }
  config.meanReturns = options.returns === "mean";
  // A mean needs the number of rewards below each leaf; stored leaf values (open-loop realizations, sampled
  // outcomes) and max-backed values do not keep it.
  if (config.meanReturns && config.backupMax) throw new MctsConfigError("returns", 'returns "mean" needs backup "mean", got backup "max"');
  if (config.meanReturns && config.loop !== LOOP_DETERMINISTIC) throw new MctsConfigError("returns", 'returns "mean" needs the closed loop with deterministic outcomes');
  return config;
}
