import { createRng, type Rng } from "@foresight/dialogue";
import { agendaPersona, AGENDA_PERSONA_NAMES, MULTIWOZ_MAX_TURNS, type MultiWozSystemActType } from "@foresight/llm-sim";
import { Mcts, visitPolicy, type GenerativeModel, type SearchOptions, type StopReason } from "@foresight/mcts-core";
import { PlannerInputError, resolveSettings, type CandidateStats, type Conversation, type Decision, type PlanBudget, type PlanOptions, type PlanStopReason } from "../types.js";
import { approximateTokens, promptTokens, TodEnvironment, type TodCosts, type TodHistory, type TodReply } from "./environment.js";
import { readTodConversation, todValueModel, todWorld } from "./resources.js";
import { mixedPrior, stateValue, TodValueFunction } from "./value.js";

/** SMCTS-TOD's knobs, with the paper's defaults (§A.7). */
export interface SmctsTodSettings {
  /** S: simulations per turn when the budget names none. */
  simulations: number;
  /** Maximum search depth (acts beyond the root). */
  depth: number;
  /** K of best-of-K expansion (1: no filtering). */
  bestOfK: number;
  /** B: realizations kept per node (top-B by V̄). */
  cacheSize: number;
  /** λ of the mixed prior λ·P_θ + (1 − λ)·softmax(V/τ_v). */
  lambda: number;
  tauV: number;
  tauEval: number;
  /** τ_H of cache sampling softmax(V̄/τ_H). */
  tauH: number;
  /** τ of the reported visit policy π_MCTS ∝ N^(1/τ). */
  tau: number;
  /** c_p of PUCT. */
  cP: number;
  /**
   * γ per system turn of the backed-up return (Eq. 1): an edge into a finished dialogue earns its verdict, an edge
   * into a leaf γ·v(leaf). The value model is trained on γ^(T−t)·y with the same γ (Eq. 12), so with γ = 0.95 a
   * terminal success and V̄ are on one scale; γ = 1 is the plain mean of Eq. 16.
   */
  discount: number;
  /**
   * η of the leaf value (1 − η)·V̄(h) + η·z, z the discounted return of a short rollout from h with the base
   * prior's sampled acts, bootstrapped by V̄ (AlphaGo's mixing; 0, the default: the paper's V̄ alone).
   */
  leafRollout: number;
  /** Turns of the leaf rollout (with `leafRollout` > 0). */
  rolloutDepth: number;
  /** Q₀ of unvisited acts (a neutral success probability). */
  initialQ: number;
  /** `open` (act sequences with cached realizations) or `closed` (the first realization of each act is the node). */
  loop: string;
  /** `learned` (V̄ of V_φ) or `prompt` (a judge reading a rollout to the end; the prompt-judged ablation). */
  leafValue: string;
  /** The planning model's user persona (`cooperative` / `less-cooperative`). */
  persona: string;
  /** The value model: `flywheel` (default `value-multiwoz`), `seed` (`value-multiwoz-seed`) or a manifest path. */
  valueModel: string;
  maxTurns: number;
}

/** The paper's defaults. */
export const SMCTS_TOD_DEFAULTS: SmctsTodSettings = {
  simulations: 64,
  depth: 4,
  bestOfK: 4,
  cacheSize: 8,
  lambda: 0.5,
  tauV: 0.25,
  tauEval: 0.5,
  tauH: 0.5,
  tau: 0.2,
  cP: 1.5,
  discount: 0.95,
  leafRollout: 0,
  rolloutDepth: 3,
  initialQ: 0.5,
  loop: "open",
  leafValue: "learned",
  persona: "cooperative",
  valueModel: "flywheel",
  maxTurns: MULTIWOZ_MAX_TURNS,
};

function check(condition: boolean, planner: string, key: string, message: string): void {
  if (!condition) throw new PlannerInputError(`${planner}: setting "${key}" ${message}`, `settings.${key}`);
}

/** Validates SMCTS-TOD settings over the defaults. */
export function resolveSmctsTodSettings(defaults: SmctsTodSettings, given: Partial<SmctsTodSettings> | undefined, planner: string): SmctsTodSettings {
  const s = resolveSettings(defaults, given, planner);
  for (const key of ["simulations", "depth", "bestOfK", "cacheSize", "maxTurns", "rolloutDepth"] as const) check(Number.isInteger(s[key]) && s[key] >= 1, planner, key, "must be a positive integer");
  check(s.lambda >= 0 && s.lambda <= 1, planner, "lambda", "must be in [0, 1]");
  check(s.discount > 0 && s.discount <= 1, planner, "discount", "must be in (0, 1]");
  check(s.leafRollout >= 0 && s.leafRollout <= 1, planner, "leafRollout", "must be in [0, 1]");
  for (const key of ["tauV", "tauEval", "tauH", "tau", "cP"] as const) check(s[key] > 0, planner, key, "must be > 0");
  check(s.loop === "open" || s.loop === "closed", planner, "loop", `must be "open" or "closed"`);
  check(s.leafValue === "learned" || s.leafValue === "prompt", planner, "leafValue", `must be "learned" or "prompt"`);
  check((AGENDA_PERSONA_NAMES as readonly string[]).includes(s.persona), planner, "persona", `must be one of ${AGENDA_PERSONA_NAMES.map((n) => `"${n}"`).join(", ")}`);
  return s;
}

/** What a TOD planner needs per call: the planning model at the conversation's history. */
export interface TodPlanningSetup {
  env: TodEnvironment;
  root: TodHistory;
  values: TodValueFunction;
  started: number;
  /** Set when the planning model cannot represent the conversation faithfully. */
  degraded?: { reason: string };
}

/** Builds the planning model for one call (world, goal, persona, value model) and replays the conversation. */
export function setupTodPlanning(name: string, conversation: Conversation, settings: SmctsTodSettings, seed: number, dirs: { dataDir?: string; modelsDir?: string }): TodPlanningSetup {
  const started = performance.now();
  const world = todWorld(dirs.dataDir);
  const read = readTodConversation(world, conversation, name);
  const persona = read.persona ?? agendaPersona(settings.persona);
  const env = new TodEnvironment(world, read.goal.goal, persona, settings.maxTurns, seed);
  let root = env.replay(read.turns, createRng(`replay:${seed}`));
  const last = read.turns[read.turns.length - 1];
  const userLeft = last !== undefined && last.acts.some((act) => act.domain === "general" && act.intent === "bye");
  if (userLeft || root.state.turn >= settings.maxTurns) throw new PlannerInputError(`${name}: the conversation has already ended (the user said goodbye or the turn limit was reached)`, "conversation.turns");
  // The planning model's user may have given up where the real one did not (a mismatched persona): plan on, with a
  // model that expects the user to leave, and say so.
  const planningUserLeft = root.ended;
  if (planningUserLeft) root = { ...root, ended: false };
  const values = new TodValueFunction(todValueModel(settings.valueModel, dirs.modelsDir).spec, () => env.costs);
  return { env, root, values, started, ...(planningUserLeft ? { degraded: { reason: "the planning model's user has already given up in this conversation (its persona differs from the real user's)" } } : {}) };
}

/** The base prior P_θ(a|h) of the offline M_θ over the grounded act types (charged as one prior call). */
export function basePrior(env: TodEnvironment, history: TodHistory, types: readonly MultiWozSystemActType[]): number[] {
  env.charge("prior", promptTokens(history), 4 * types.length);
  return env.world.prior.labelProbabilities(history.state, types);
}

/** Finishes a Decision's statistics from a planning call's cost ledger. */
export function todStatistics(planning: { costs: TodCosts; started: number }, simulations: number, stopReason: PlanStopReason): Decision["stats"] {
  const { costs } = planning;
  return {
    simulations,
    modelCalls: costs.modelCalls,
    modelRows: costs.modelRows,
    llmCalls: costs.llmCalls,
    tokens: costs.tokens,
    wallMs: performance.now() - planning.started,
    stopReason,
    roleCalls: { ...costs.roleCalls },
  };
}

/** The reply's acts and text as candidate details (the bench's judge reads `replyActs`). */
export function replyDetails(reply: TodReply): Record<string, unknown> {
  return { reply: reply.text, replyActs: reply.acts, label: reply.label };
}

/** A realization of a root child kept in its cache, with its V̄. */
export interface ScoredHistory<H> {
  history: H;
  vbar: number;
}

/**
 * What SMCTS-TOD's search needs of a task-oriented world, independent of MultiWOZ: legal acts, the base prior
 * P_θ, the value model V(h, a), transitions h ⊕ (a, û_sys, û_usr), and the end of a dialogue with its verdict.
 */
export interface SmctsDomain<H, A> {
  actions(history: H): readonly A[];
  basePrior(history: H, actions: readonly A[]): ArrayLike<number>;
  actionValues(history: H, actions: readonly A[]): ArrayLike<number>;
  step(history: H, act: A, rng: Rng): H;
  /** The dialogue ended (the user left, the system said goodbye, the turn limit). */
  ended(history: H): boolean;
  /** The planning model's verdict on an ended dialogue: 1 success, 0 failure. */
  verdict(history: H): number;
  /** The history `history` extends, and the act that extended it. */
  parent(history: H): H | undefined;
  actOf(history: H): A | undefined;
  /** The prompt-judged value of a history (the `leafValue: "prompt"` ablation). */
  promptJudge?(history: H): number;
}

/** Budget of one search in the engine's terms, with the caller's LLM-call / token check. */
export interface SmctsSearchBudget {
  iterations?: number;
  timeMs?: number;
  signal?: AbortSignal;
  exhausted?: () => boolean;
}

/**
 * One SMCTS-TOD search from `root` (Algorithm 1): PUCT (c_p) over acts with the mixed prior λ·P_θ + (1 − λ)·
 * softmax(V/τ_v) computed per sampled realization (Eq. 13–15), leaves valued by V̄ with τ_eval (Eq. 10–11) or the
 * planning user's verdict at the end of the dialogue, open-loop caches of the top-B realizations by V̄ sampled by
 * softmax(V̄/τ_H) (Eq. 19–20, 26), every expansion a best-of-K step (Eq. 21–25). Returns the engine's result and
 * the realizations cached at the root's children with their V̄ (for the reply, Eq. 27).
 */
export function smctsSearch<H extends object, A>(domain: SmctsDomain<H, A>, root: H, settings: SmctsTodSettings, seed: number, budget: SmctsSearchBudget) {
  const judged = new WeakMap<H, number>();
  const leaf = (history: H): number => {
    const known = judged.get(history);
    if (known !== undefined) return known;
    const value = domain.ended(history)
      ? domain.verdict(history)
      : settings.leafValue === "prompt"
        ? domain.promptJudge!(history)
        : stateValue(domain.actionValues(history, domain.actions(history)), settings.tauEval);
    judged.set(history, value);
    return value;
  };
  // The leaf's backed-up value: V̄ (or the verdict, or the prompted judge), mixed with a short rollout's return when
  // η > 0. Caches, best-of-K and the reply keep ranking by V̄ alone (`leaf`); only the backup sees the rollout.
  const rolloutRng = createRng(`leaf-rollout:${seed}`);
  const mixRollout = settings.leafRollout > 0 && settings.leafValue === "learned";
  const evaluateLeaf = (history: H): number => {
    const value = score(history);
    if (!mixRollout || domain.ended(history)) return value;
    const rollout = priorRollout(domain, history, rolloutRng, settings.rolloutDepth);
    const last = rollout.history;
    // The rollout's last step earns its verdict (γ^(k−1) from here); a rollout cut short is bootstrapped by V̄.
    const z = domain.ended(last) ? settings.discount ** (rollout.steps - 1) * domain.verdict(last) : settings.discount ** rollout.steps * leaf(last);
    return (1 - settings.leafRollout) * value + settings.leafRollout * z;
  };
  if (settings.leafValue === "prompt" && !domain.promptJudge) throw new PlannerInputError("leafValue \"prompt\" needs a prompt judge in this domain", "settings.leafValue");
  // The prompt-judged ablation has no learned value, so no value prior either.
  const lambda = settings.leafValue === "prompt" ? 1 : settings.lambda;
  const model: GenerativeModel<H, A> = {
    actions: (history) => (domain.ended(history) ? [] : domain.actions(history)),
    prior: (history, acts) => {
      const base = domain.basePrior(history, acts);
      return lambda === 1 ? base : mixedPrior(base, domain.actionValues(history, acts), lambda, settings.tauV);
    },
    step: (history, act, rng) => {
      const next = domain.step(history, act, rng);
      const terminal = domain.ended(next);
      return { state: next, reward: terminal ? domain.verdict(next) : 0, terminal };
    },
    evaluate: (history) => evaluateLeaf(history),
  };
  const atRoot = new Map<A, ScoredHistory<H>[]>();
  // V̄ of a history, recording the realizations of the root's children on the way (their reply candidates, Eq. 27).
  function score(history: H): number {
    const value = leaf(history);
    if (domain.parent(history) === root) {
      const act = domain.actOf(history)!;
      const list = atRoot.get(act) ?? [];
      if (!list.some((s) => s.history === history)) list.push({ history, vbar: value });
      atRoot.set(act, list);
    }
    return value;
  }
  const options: SearchOptions<H, A> = {
    seed,
    selection: { kind: "puct", c: settings.cP },
    initialQ: settings.initialQ,
    discount: settings.discount,
    maxDepth: settings.depth,
    temperature: settings.tau,
    finalChoice: "mostVisits",
    loop:
      settings.loop === "open"
        ? { kind: "open", cache: { kind: "topValue", capacity: settings.cacheSize, temperature: settings.tauH, score: (history) => score(history) }, priorPerRealization: true }
        : { kind: "closed", outcomes: { kind: "deterministic" } },
    // Every expansion is a best-of-K step (K = 1: one sample). Its candidates are scored (and recorded at the root's
    // children) here: the engine's first realization of a new node gets no cache score, and each expansion keeps
    // its best candidate, so the best candidate recorded for an act is the best realization its cache ever held.
    expansion: { candidates: settings.bestOfK, score: (candidate) => score(candidate.state) },
  };
  const mcts = new Mcts(model, root, options);
  const result = mcts.search({
    ...(budget.iterations !== undefined ? { iterations: budget.iterations } : {}),
    ...(budget.timeMs !== undefined ? { timeMs: budget.timeMs } : {}),
    ...(budget.signal ? { signal: budget.signal } : {}),
    ...(budget.exhausted ? { custom: { name: "llm", exhausted: budget.exhausted } } : {}),
  });
  // Closed loop (each root child holds its one realization), or a chosen child whose only realization ended the
  // dialogue at once without being scored (K = 1): the engine's realization.
  if (result.realization && !atRoot.has(result.action)) atRoot.set(result.action, [{ history: result.realization.state, vbar: leaf(result.realization.state) }]);
  /** Eq. 27: the cached realization of `act` with the highest V̄. */
  const best = (act: A) => [...(atRoot.get(act) ?? [])].sort((a, b) => b.vbar - a.vbar)[0]?.history;
  return { result, mcts, atRoot, best, leaf };
}

/** The MultiWOZ planning model as an {@link SmctsDomain}. */
export function multiWozSmctsDomain(env: TodEnvironment, values: TodValueFunction, judgeRng: Rng): SmctsDomain<TodHistory, MultiWozSystemActType> {
  const domain: SmctsDomain<TodHistory, MultiWozSystemActType> = {
    actions: (history) => env.actTypes(history),
    basePrior: (history, acts) => basePrior(env, history, acts),
    actionValues: (history, acts) => values.actionValues(history, acts),
    step: (history, act, rng) => env.step(history, act, rng),
    ended: (history) => history.ended,
    verdict: (history) => (history.complete ? 1 : 0),
    parent: (history) => history.parent,
    actOf: (history) => history.reply?.type,
    promptJudge: (history) => promptJudge(env, domain, history, judgeRng),
  };
  return domain;
}

/**
 * A TOD planner's call in one world (MultiWOZ or SGD): the planning model at the conversation (its root history),
 * the cost ledger, and how a history's system reply reads in a decision.
 */
export interface TodPlanning<H extends object, A extends string> {
  domain: SmctsDomain<H, A>;
  root: H;
  costs: TodCosts;
  started: number;
  /** The root's turn number (for the trace id). */
  turn: number;
  degraded?: { reason: string };
  /** The system reply that led to `history`: its text and the candidate details (MultiWOZ: `replyActs`). */
  reply(history: H): { text: string; details: Record<string, unknown> };
}

/** MultiWOZ's planning model of a call as a {@link TodPlanning}. */
export function multiWozPlanning(setup: TodPlanningSetup, seed: number): TodPlanning<TodHistory, MultiWozSystemActType> {
  return {
    domain: multiWozSmctsDomain(setup.env, setup.values, createRng(`judge:${seed}`)),
    root: setup.root,
    costs: setup.env.costs,
    started: setup.started,
    turn: setup.root.state.turn,
    ...(setup.degraded ? { degraded: setup.degraded } : {}),
    reply: (history) => ({ text: history.reply!.text, details: replyDetails(history.reply!) }),
  };
}

/** The search budget of a plan call: the caller's, else S simulations; LLM calls and tokens checked on the ledger. */
function searchBudget(budget: PlanBudget, settings: SmctsTodSettings, costs: TodCosts): SmctsSearchBudget {
  const named = budget.iterations !== undefined || budget.timeMs !== undefined || budget.llmCalls !== undefined || budget.tokens !== undefined;
  return {
    ...(budget.iterations !== undefined ? { iterations: budget.iterations } : named ? {} : { iterations: settings.simulations }),
    ...(budget.timeMs !== undefined ? { timeMs: budget.timeMs } : {}),
    ...(budget.signal ? { signal: budget.signal } : {}),
    ...(budget.llmCalls !== undefined || budget.tokens !== undefined
      ? { exhausted: () => (budget.llmCalls !== undefined && costs.llmCalls >= budget.llmCalls) || (budget.tokens !== undefined && costs.tokens >= budget.tokens) }
      : {}),
  };
}

/**
 * SMCTS-TOD's decision in a world: {@link smctsSearch}, then the act with most visits (Eq. 18) and its cached
 * realization of highest V̄ as the reply, without re-generation (Eq. 27); every act with its visits, Q, mixed prior
 * and the V̄ of its cached realizations.
 */
export function searchDecision<H extends object, A extends string>(name: string, planning: TodPlanning<H, A>, settings: SmctsTodSettings, seed: number, options: PlanOptions<SmctsTodSettings>) {
  const { domain, root, costs } = planning;
  const budget = options.budget ?? {};
  const search = smctsSearch(domain, root, settings, seed, searchBudget(budget, settings, costs));
  const { result, mcts, atRoot } = search;
  const act = result.action;
  let chosen = search.best(act);
  let degraded = planning.degraded;
  if (!chosen) {
    chosen = domain.step(root, act, createRng(`reply:${seed}`));
    degraded = { reason: `no realization of ${act} was cached (budget too small); the reply was generated after the search` };
  }
  const policy = visitPolicy(result.actions.map((a) => a.visits), settings.tau);
  const candidates: CandidateStats[] = result.actions
    .map((stats, i) => {
      const cached = [...(atRoot.get(stats.action) ?? [])].sort((a, b) => b.vbar - a.vbar).slice(0, settings.cacheSize);
      const replyOf = stats.action === act ? chosen : cached[0]?.history;
      const reply = replyOf ? planning.reply(replyOf) : undefined;
      return {
        act: stats.action,
        ...(reply ? { text: reply.text } : {}),
        value: Number.isNaN(stats.q) ? null : stats.q,
        visits: stats.visits,
        prior: stats.prior,
        details: {
          policy: policy[i],
          realizations: cached.map((s) => ({ text: planning.reply(s.history).text, vbar: s.vbar })),
          ...(reply ? reply.details : {}),
        },
      };
    })
    .sort((a, b) => (a.act === act ? -1 : b.act === act ? 1 : b.visits - a.visits));
  const decision: Decision = {
    planner: name,
    act,
    reply: planning.reply(chosen).text,
    candidates,
    stats: todStatistics(planning, result.iterations, stopReasonOf(result.stopReason, budget, costs)),
    ...(degraded ? { degraded } : {}),
    traceId: `${name}-${seed}-${planning.turn}`,
    ...(options.trace
      ? { trace: mcts.trace({ describeAction: (a) => a, describeState: (h) => (h === root ? "(root)" : planning.reply(h).text), ...(typeof options.trace === "object" && options.trace.maxNodes ? { maxNodes: options.trace.maxNodes } : {}) }) }
      : {}),
  };
  return { decision, search };
}

/**
 * A rollout from `history` with the base prior's sampled acts (M_θ proposing each act) for at most `maxSteps`
 * turns or until the dialogue ends; returns where it stopped and the turns it took.
 */
export function priorRollout<H, A>(domain: SmctsDomain<H, A>, history: H, rng: Rng, maxSteps: number): { history: H; steps: number } {
  let current = history;
  let steps = 0;
  while (steps < maxSteps && !domain.ended(current)) {
    const acts = domain.actions(current);
    if (acts.length === 0) break;
    const prior = domain.basePrior(current, acts);
    let u = rng.next();
    let act = acts[acts.length - 1]!;
    for (let i = 0; i < acts.length; i++) {
      u -= prior[i]!;
      if (u < 0) {
        act = acts[i]!;
        break;
      }
    }
    current = domain.step(current, act, rng);
    steps += 1;
  }
  return { history: current, steps };
}

/**
 * The prompt-judged value of the ablation, offline: what a judge prompted with the dialogue would conclude after
 * playing it out — a rollout with the base prior's acts to the end, judged by the planning user's completion
 * (one judge call plus the rollout's role calls).
 */
function promptJudge(env: TodEnvironment, domain: SmctsDomain<TodHistory, MultiWozSystemActType>, history: TodHistory, rng: Rng): number {
  const end = priorRollout(domain, history, rng, Number.POSITIVE_INFINITY).history;
  env.charge("judge", promptTokens(end), approximateTokens("The assistant completed the goal: yes"));
  return end.complete ? 1 : 0;
}

function stopReasonOf(reason: StopReason, budget: NonNullable<PlanOptions["budget"]>, costs: { llmCalls: number; tokens: number }): PlanStopReason {
  if (reason !== "custom") return reason;
  return budget.llmCalls !== undefined && costs.llmCalls >= budget.llmCalls ? "llmCalls" : "tokens";
}
