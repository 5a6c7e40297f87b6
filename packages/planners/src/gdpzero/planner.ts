import { GDP_ZERO_PERSUADEE_REACTIONS, GDP_ZERO_PERSUADER_ACTS, type GdpZeroPersuaderAct, type Turn } from "@foresight/dialogue";
import { Mcts, type SearchBudget, type SearchResult } from "@foresight/mcts-core";
import type { UsageLedger } from "@foresight/llm-sim";
import type { CandidateStats, Conversation, ConversationTurn, Decision, PlanOptions, PlanStopReason, Planner } from "../types.js";
import { persuasionModel, type PersuasionState } from "./model.js";
import { meteredRoles, persuadeeTurn, persuaderTurn, RoleMeter, type GdpZeroRoles } from "./roles.js";

/** Which GDP-Zero variant a planner runs. */
export type GdpZeroVariant = "gdpzero" | "closed-loop" | "no-response-selection" | "prompting";

/** GDP-Zero's settings (paper defaults). */
export interface GdpZeroSettings {
  /** Simulations n when the budget names none (default 10, the paper's configuration with Q₀ = 0.25). */
  n: number;
  /** Realizations cached per node, k (default 3). */
  k: number;
  /** Q₀ of unvisited acts (default 0.25). */
  q0: number;
  /**
   * PUCT exploration constant c_p (default 1). Values are GDP-Zero's mean reaction values on [−1, 1] (range 2), the
   * scale the paper set c_p = 1 and Q₀ ∈ {0, 0.25, 0.5} for, so the constants keep their meaning; the score of an
   * act is Q + c·P·√ΣN / (1 + N).
   */
  c: number;
  /** Simulations in flight together (default 1: strictly sequential); each in-flight visit adds a virtual loss. */
  concurrency: number;
  /** Value subtracted per in-flight visit (default 1, half the value range). */
  virtualLoss: number;
  /**
   * Advance the simulations in flight in rounds (mcts-core's `lockstep`, default false): the tree and the role
   * calls then depend on the answers only, not on which call returns first, so a recorded LLM run replays.
   */
  lockstep: boolean;
  /** Simulated latency per role call in ms (default 0), to measure concurrency offline. */
  latencyMs: number;
  /** Attach mcts-core's trace of the tree to the decision. */
  trace: boolean;
  /**
   * Keep the search tree between turns (default false): after `observe` reports the persuader turn said and the
   * persuadee's answer, the next `plan` of that conversation starts from the subtree under the act said (in the
   * open loop a node is an act sequence, so its statistics stay valid) and adds n simulations to it.
   */
  reuseTree: boolean;
}

/** The paper's defaults. */
export const GDP_ZERO_DEFAULTS: GdpZeroSettings = Object.freeze({ n: 10, k: 3, q0: 0.25, c: 1, concurrency: 1, virtualLoss: 1, lockstep: false, latencyMs: 0, trace: false, reuseTree: false });

/** Builds the roles for one `plan` call from its seed and meter; `ledger` is set for LLM roles. */
export type RoleProvider = (seed: number, meter: RoleMeter) => { roles: GdpZeroRoles; ledger?: UsageLedger };

function checkSettings(settings: GdpZeroSettings): void {
  const positiveInt = (name: keyof GdpZeroSettings) => {
    const value = settings[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new RangeError(`gdpzero: setting ${name} must be a positive integer, got ${String(value)}`);
  };
  positiveInt("n");
  positiveInt("k");
  positiveInt("concurrency");
  for (const name of ["q0", "c", "virtualLoss", "latencyMs"] as const) {
    if (typeof settings[name] !== "number" || !Number.isFinite(settings[name])) throw new RangeError(`gdpzero: setting ${name} must be a finite number, got ${String(settings[name])}`);
  }
  if (settings.c < 0 || settings.latencyMs < 0 || settings.virtualLoss < 0) throw new RangeError("gdpzero: settings c, latencyMs and virtualLoss must be ≥ 0");
}

const isAct = (act: string | undefined): act is GdpZeroPersuaderAct => (GDP_ZERO_PERSUADER_ACTS as readonly string[]).includes(act ?? "");
const isReaction = (act: string | undefined) => (GDP_ZERO_PERSUADEE_REACTIONS as readonly string[]).includes(act ?? "");

/** The planner's conversation as dialogue turns (the agent is the persuader, the user the persuadee). */
export function conversationTurns(conversation: Conversation): Turn[] {
  if (!Array.isArray(conversation?.turns)) throw new TypeError("gdpzero: the conversation needs a turns array");
  return conversation.turns.map((turn, index) => {
    if (typeof turn?.text !== "string") throw new TypeError(`gdpzero: turn ${index} has no text`);
    if (turn.speaker === "agent") return isAct(turn.act) ? persuaderTurn(turn.text, turn.act) : { speaker: "system", text: turn.text };
    if (turn.speaker === "user") return persuadeeTurn(turn.text, isReaction(turn.act) ? turn.act : undefined);
    throw new TypeError(`gdpzero: turn ${index} has speaker "${String(turn.speaker)}" (expected "agent" or "user")`);
  });
}

let traceCounter = 0;

/** A cached history of the chosen act at the root, as response selection saw it: the reply, its running value v_h and visits. */
export interface CachedReply {
  text: string;
  value: number;
  visits: number;
}

/**
 * The open-loop cache of `act`'s node under the root: every reply response selection chose among, with its running
 * value and visits (the root and its children only are traced: at most one node per act in an open loop).
 */
function cachedRepliesOf(engine: Mcts<PersuasionState, GdpZeroPersuaderAct>, act: GdpZeroPersuaderAct, rootTurns: number): CachedReply[] {
  const trace = engine.trace({ maxNodes: 1 + GDP_ZERO_PERSUADER_ACTS.length, describeAction: (a) => a, describeState: (s) => s.turns[rootTurns]?.text });
  const node = trace.nodes.find((n) => n.parent === 0 && n.action === act);
  return (node?.realizations ?? []).filter((r) => typeof r.state === "string").map((r) => ({ text: r.state as string, value: r.value, visits: r.visits }));
}

/** The search engine of GDP-Zero's dialogue model. */
type PersuasionSearch = Mcts<PersuasionState, GdpZeroPersuaderAct>;

/** A tree kept for reuse: the engine, the history at its root, and the roles its model calls (swapped per `plan`). */
interface KeptTree {
  engine: PersuasionSearch;
  rootTurns: Turn[];
  /** The settings the engine was built with; another configuration starts afresh. */
  settingsKey: string;
  /** Whether `observe` advanced it since its search (only then does the next `plan` reuse it). */
  observed: boolean;
  setRoles(roles: GdpZeroRoles): void;
}

/** Roles whose calls go to whatever roles were set last (a kept engine's model outlives one `plan` call's roles). */
function switchableRoles(initial: GdpZeroRoles): { roles: GdpZeroRoles; set(roles: GdpZeroRoles): void } {
  let current = initial;
  return {
    roles: {
      backend: initial.backend,
      prior: { prior: (history, options) => current.prior.prior(history, options) },
      value: { evaluate: (history, options) => current.value.evaluate(history, options) },
      system: { reply: (history, act, m, options) => current.system.reply(history, act, m, options) },
      user: { respond: (history, options) => current.user.respond(history, options) },
    },
    set: (roles) => {
      current = roles;
    },
  };
}

const sameTurns = (a: readonly Turn[], b: readonly Turn[]) => a.length === b.length && a.every((turn, i) => turn.speaker === b[i]!.speaker && turn.text === b[i]!.text);

/**
 * GDP-Zero (Yu et al., EMNLP 2023) and its ablations as one planner: open-loop PUCT over the 7 persuader acts with a
 * uniform realization cache of k histories per node, Q₀ for unvisited acts, the prior / value / system / user
 * roles; the act with most visits and, by response selection, its cached reply with the highest running value (no
 * re-generation). Variants: "closed-loop" (the first realization of each act sequence is kept), "no-response-
 * selection" (a fresh reply for the chosen act), "prompting" (the prior's most likely act, then one reply).
 */
export class GdpZeroPlanner implements Planner<GdpZeroSettings> {
  /** The tree kept by the last `plan` with `reuseTree` (one conversation at a time). */
  private kept: KeptTree | undefined;

  /** A planner of a variant whose roles come from `provider`. */
  constructor(
    readonly name: string,
    readonly variant: GdpZeroVariant,
    private readonly provider: RoleProvider,
    private readonly defaults: Partial<GdpZeroSettings> = {},
  ) {}

  /** Plans the persuader's next turn. */
  async plan(conversation: Conversation, options: PlanOptions<GdpZeroSettings> = {}): Promise<Decision> {
    const started = performance.now();
    const settings: GdpZeroSettings = { ...GDP_ZERO_DEFAULTS, ...this.defaults, ...(options.settings ?? {}) };
    checkSettings(settings);
    const seed = options.seed ?? 0;
    const turns = conversationTurns(conversation);
    const meter = new RoleMeter(settings.latencyMs);
    const { roles: raw, ledger } = this.provider(seed, meter);
    const roles = meteredRoles(raw, meter);
    const tokens = () => (ledger ? ledger.snapshot().total.promptTokens + ledger.snapshot().total.completionTokens : 0);
    const budget = options.budget ?? {};
    if (this.variant === "prompting") return this.prompting(turns, roles, meter, ledger, tokens, started);

    let customReason: PlanStopReason | undefined;
    const searchBudget: SearchBudget = {};
    const hasBudget = budget.iterations !== undefined || budget.timeMs !== undefined || budget.llmCalls !== undefined || budget.tokens !== undefined;
    searchBudget.iterations = budget.iterations ?? (hasBudget ? undefined : settings.n);
    if (budget.timeMs !== undefined) searchBudget.timeMs = budget.timeMs;
    if (budget.signal) searchBudget.signal = budget.signal;
    if (budget.llmCalls !== undefined || budget.tokens !== undefined) {
      searchBudget.custom = {
        name: "roleCalls",
        exhausted: () => {
          if (budget.llmCalls !== undefined && meter.total() >= budget.llmCalls) customReason = "llmCalls";
          else if (budget.tokens !== undefined && tokens() >= budget.tokens) customReason = "tokens";
          return customReason !== undefined;
        },
      };
    }
    const settingsKey = JSON.stringify([this.variant, settings.k, settings.q0, settings.c, settings.concurrency, settings.virtualLoss, settings.lockstep]);
    const kept = this.kept;
    this.kept = undefined;
    const reused = settings.reuseTree && kept?.observed === true && kept.settingsKey === settingsKey && sameTurns(kept.rootTurns, turns) ? kept : undefined;
    let engine: PersuasionSearch;
    let setRoles: (roles: GdpZeroRoles) => void;
    if (reused) {
      engine = reused.engine;
      setRoles = reused.setRoles;
      setRoles(roles);
    } else {
      const switchable = switchableRoles(roles);
      setRoles = switchable.set;
      engine = new Mcts(persuasionModel(switchable.roles, undefined, { persuadeeCallsInOrder: settings.lockstep }), { turns, ended: false } satisfies PersuasionState, {
        seed,
        selection: { kind: "puct", c: settings.c },
        valueTransform: { kind: "none" },
        initialQ: settings.q0,
        loop: this.variant === "closed-loop" ? { kind: "closed" } : { kind: "open", cache: { kind: "uniform", k: settings.k } },
        concurrency: settings.concurrency,
        virtualLoss: settings.virtualLoss,
        lockstep: settings.lockstep,
        finalChoice: "mostVisits",
      });
    }
    if (reused) meter.count("reusedSimulations", engine.result().actions.reduce((sum, stats) => sum + stats.visits, 0));
    const result = await engine.searchAsync(searchBudget);
    if (settings.reuseTree) this.kept = { engine, rootTurns: turns, settingsKey, setRoles, observed: false };
    const act = result.action;
    let reply: string;
    let selected: { value: number; visits: number } | undefined;
    const said = new Set(turns.map((turn) => turn.text.trim()));
    const cached = result.realization?.state.turns[turns.length]?.text;
    // A reused tree's cached replies were simulated after other histories: one the real dialogue already holds is not said again.
    if (this.variant !== "no-response-selection" && result.realization && cached !== undefined && !said.has(cached.trim())) {
      reply = cached;
      selected = { value: result.realization.value, visits: result.realization.visits };
    } else {
      if (this.variant !== "no-response-selection" && cached !== undefined) meter.count("cachedReplyAlreadySaid");
      const [candidate] = await roles.system.reply(turns, act, 1);
      reply = candidate!.text;
    }
    const cachedReplies = this.variant === "closed-loop" ? [] : cachedRepliesOf(engine, act, turns.length);
    const candidates: CandidateStats[] = result.actions
      .map((stats) => ({
        act: stats.action,
        value: Number.isNaN(stats.q) ? null : stats.q,
        visits: stats.visits,
        prior: stats.prior,
        ...(stats.action === act
          ? { text: reply, details: { responseSelection: this.variant !== "no-response-selection", ...(selected ? { selectedRealization: selected } : {}), ...(cachedReplies.length > 0 ? { cachedReplies } : {}) } }
          : {}),
      }))
      .sort((a, b) => b.visits - a.visits || b.prior - a.prior);
    const decision = this.decision(act, reply, candidates, result, meter, ledger, tokens, started, customReason);
    if (settings.trace) decision.trace = engine.trace({ describeAction: (a) => a, describeState: (s) => s.turns.slice(turns.length).map((t) => t.text).join(" / ") });
    return decision;
  }

  /**
   * Advances the kept tree (with `reuseTree`) by the turns said since the last decision: the persuader turn (its act
   * from `act`, or the decided act) and the persuadee's answer. Anything else, or an act the tree does not hold,
   * drops the tree (the next `plan` starts afresh).
   */
  observe(said: ConversationTurn[]): void {
    const kept = this.kept;
    this.kept = undefined;
    if (!kept || kept.observed) return;
    const [persuader, persuadee] = said;
    if (said.length !== 2 || persuader?.speaker !== "agent" || persuadee?.speaker !== "user") return;
    const act = isAct(persuader.act) ? persuader.act : kept.engine.result().action;
    const turns = [...kept.rootTurns, ...conversationTurns({ turns: said })];
    turns[kept.rootTurns.length] = persuaderTurn(persuader.text, act);
    try {
      kept.engine.advance(act, { turns, ended: false });
    } catch {
      return; // not searched yet, or no statistics under this act: start afresh
    }
    this.kept = { ...kept, rootTurns: turns, observed: true };
  }

  private async prompting(turns: Turn[], roles: GdpZeroRoles, meter: RoleMeter, ledger: UsageLedger | undefined, tokens: () => number, started: number): Promise<Decision> {
    const prior = await roles.prior.prior(turns, { acts: GDP_ZERO_PERSUADER_ACTS });
    let best = 0;
    prior.probabilities.forEach((p, i) => {
      if (p > prior.probabilities[best]!) best = i;
    });
    const act = prior.acts[best] as GdpZeroPersuaderAct;
    const [candidate] = await roles.system.reply(turns, act, 1);
    const candidates: CandidateStats[] = prior.acts
      .map((a, i) => ({ act: a, value: null, visits: 0, prior: prior.probabilities[i]!, ...(a === act ? { text: candidate!.text } : {}) }))
      .sort((a, b) => b.prior - a.prior);
    return this.decision(act, candidate!.text, candidates, undefined, meter, ledger, tokens, started, "converged");
  }

  private decision(
    act: string,
    reply: string,
    candidates: CandidateStats[],
    result: SearchResult<PersuasionState, GdpZeroPersuaderAct> | undefined,
    meter: RoleMeter,
    ledger: UsageLedger | undefined,
    tokens: () => number,
    started: number,
    reason: PlanStopReason | undefined,
  ): Decision {
    const counters: Record<string, number> = { ...meter.counters, peakRoleCallsInFlight: meter.peakInFlight };
    if (ledger) {
      for (const [role, totals] of Object.entries(ledger.snapshot().byRole)) if (totals.parseFailures > 0) counters[`${role}ParseFailures`] = totals.parseFailures;
    }
    const stopReason: PlanStopReason = result === undefined ? "converged" : result.stopReason === "custom" ? (reason ?? "llmCalls") : result.stopReason;
    const fallbacks = Object.entries(counters).filter(([name, count]) => count > 0 && /Fallback|ParseFailures/.test(name));
    return {
      planner: this.name,
      act,
      reply,
      candidates,
      stats: {
        simulations: result?.iterations ?? 0,
        modelCalls: 0,
        llmCalls: meter.total(),
        tokens: tokens(),
        wallMs: performance.now() - started,
        stopReason,
        roleCalls: { ...meter.calls },
        counters,
      },
      ...(fallbacks.length > 0 ? { degraded: { reason: `fallbacks used: ${fallbacks.map(([name, count]) => `${name} ${count}`).join(", ")}` } } : {}),
      traceId: `${this.name}-${Date.now().toString(36)}-${(traceCounter++).toString(36)}`,
    };
  }
}
