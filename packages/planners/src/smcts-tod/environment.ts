import type { DialogueAct, MultiWozGoal, Rng } from "@foresight/dialogue";
import {
  advanceMultiWozValueHistory,
  AgendaUser,
  applyMultiWozSystemActs,
  applyMultiWozUserActs,
  createMultiWozGoalAvailability,
  initialMultiWozState,
  initialMultiWozValueHistory,
  multiWozTurnContext,
  MultiWozTemplateNlg,
  MULTIWOZ_SYSTEM_ACT_TYPES,
  type AgendaPersona,
  type MultiWozActBundle,
  type MultiWozSystemActType,
  type MultiWozSystemWorld,
  type MultiWozTrackedState,
  type MultiWozTurnContext,
  type MultiWozValueHistory,
  type MultiWozWorld,
} from "@foresight/llm-sim";

/** A system reply realised in a history: the act type searched, the grounded bundle and its text. */
export interface TodReply {
  type: MultiWozSystemActType;
  label: string;
  acts: DialogueAct[];
  text: string;
}

/**
 * A concrete dialogue history h of the planning model (a realization of an open-loop node): the system-side tracked
 * state before the next system turn, the act history the value model reads, the planning model's simulated user,
 * and the last system reply with the user's answer to it.
 */
export interface TodHistory {
  state: MultiWozTrackedState;
  valueHistory: MultiWozValueHistory;
  user: AgendaUser;
  context: MultiWozTurnContext;
  /** The system reply that led here (absent at the root). */
  reply?: TodReply;
  userText?: string;
  /** The history this one extends (absent at the root). */
  parent?: TodHistory;
  /** The user ended the dialogue, or the turn limit was reached. */
  ended: boolean;
  /** The planning model's user has its goal complete (its verdict once `ended`). */
  complete: boolean;
}

/** Role calls and tokens a planning call spent (offline: what the LLM roles would have cost). */
export interface TodCosts {
  roleCalls: Record<string, number>;
  llmCalls: number;
  tokens: number;
  modelCalls: number;
  modelRows: number;
}

/** Zero costs. */
export function emptyTodCosts(): TodCosts {
  return { roleCalls: {}, llmCalls: 0, tokens: 0, modelCalls: 0, modelRows: 0 };
}

/** Rough token count of a text (≈ 1.3 tokens per word, as BPE tokenisers give on English). */
export function approximateTokens(text: string): number {
  const words = text.match(/\S+/g)?.length ?? 0;
  return Math.ceil(words * 1.3);
}

/** A history as an offline role's prompt holds it: the replies and user turns up to the root, and what came before. */
export interface PromptedHistory {
  reply?: { text: string };
  userText?: string;
  parent?: PromptedHistory;
  /** Tokens of the conversation before the root, when the root does not hold it as a chain of histories (SGD). */
  rootTokens?: number;
}

/** Tokens of each history's texts back to the root, kept per history: a search charges the same chains again and again. */
const chainTokens = new WeakMap<PromptedHistory, number>();

function historyTokens(history: PromptedHistory): number {
  const known = chainTokens.get(history);
  if (known !== undefined) return known;
  const tokens = approximateTokens(`${history.reply?.text ?? ""} ${history.userText ?? ""}`) + (history.parent ? historyTokens(history.parent) : 0);
  chainTokens.set(history, tokens);
  return tokens;
}

/** Tokens of an offline role call's prompt: an instruction of about 150 tokens plus the history's texts. */
export function promptTokens(history: PromptedHistory): number {
  return 150 + (history.rootTokens ?? 0) + historyTokens(history);
}

/** Charges one role call with its prompt and completion tokens. */
export function chargeRole(costs: TodCosts, role: string, prompt: number, completion: number): void {
  costs.roleCalls[role] = (costs.roleCalls[role] ?? 0) + 1;
  costs.llmCalls += 1;
  costs.tokens += prompt + completion;
}

/** Charges one value-model batch of `rows` rows (a `value` role call). */
export function chargeValueBatch(costs: TodCosts, rows: number): void {
  costs.modelCalls += 1;
  costs.modelRows += rows;
  costs.roleCalls.value = (costs.roleCalls.value ?? 0) + 1;
}

/**
 * The planning model of SMCTS-TOD on MultiWOZ: the world (database with the goal's availability, template NLG as
 * M_θ's realisations of an act, the agenda user as U_ψ) and the cost ledger. The planner's user pursues the goal of
 * the conversation with the persona of the planning world (the judge's persona when matched, the other one when
 * mismatched).
 */
export class TodEnvironment {
  readonly systemWorld: MultiWozSystemWorld;
  readonly nlg: MultiWozTemplateNlg;
  costs: TodCosts = emptyTodCosts();

  constructor(
    readonly world: MultiWozWorld,
    readonly goal: MultiWozGoal,
    readonly persona: AgendaPersona,
    readonly maxTurns: number,
    seed: number,
  ) {
    this.systemWorld = { db: world.db, availability: createMultiWozGoalAvailability(world.db, goal, seed) };
    this.nlg = new MultiWozTemplateNlg(world.templates);
  }

  /** Charges one role call with its prompt and completion. */
  charge(role: string, prompt: number, completion: number): void {
    chargeRole(this.costs, role, prompt, completion);
  }

  /** A history from the conversation so far: user and system acts per turn (the first turn is the user's). */
  replay(turns: readonly { speaker: "user" | "system"; acts: DialogueAct[]; text: string }[], rng: Rng): TodHistory {
    let state = initialMultiWozState();
    let valueHistory = initialMultiWozValueHistory();
    const user = AgendaUser.create(this.goal, this.persona, this.world.userActCounts);
    let root: TodHistory | undefined;
    let reply: TodReply | undefined;
    let userText: string | undefined;
    for (const turn of turns) {
      if (turn.speaker === "user") {
        user.observeOwnActs(turn.acts);
        state = applyMultiWozUserActs(state, turn.acts, this.world.db);
        userText = turn.text;
      } else {
        user.receive(turn.acts, rng);
        const next = applyMultiWozSystemActs(state, turn.acts, this.world.db);
        valueHistory = advanceMultiWozValueHistory(valueHistory, turn.acts, state, next);
        state = next;
        reply = { type: "reqmore", label: "said", acts: turn.acts, text: turn.text };
      }
      root = this.history(state, valueHistory, user, root, reply, userText);
    }
    return root ?? this.history(state, valueHistory, user, undefined, undefined, undefined);
  }

  private history(state: MultiWozTrackedState, valueHistory: MultiWozValueHistory, user: AgendaUser, parent: TodHistory | undefined, reply: TodReply | undefined, userText: string | undefined): TodHistory {
    const ended = user.ended || state.turn >= this.maxTurns;
    return {
      state,
      valueHistory,
      user,
      context: multiWozTurnContext(state, this.systemWorld),
      ...(reply ? { reply } : {}),
      ...(userText !== undefined ? { userText } : {}),
      ...(parent ? { parent } : {}),
      ended,
      complete: user.isComplete(),
    };
  }

  /** The act types grounded at a history (the legal acts of the search), in {@link MULTIWOZ_SYSTEM_ACT_TYPES} order. */
  actTypes(history: TodHistory): MultiWozSystemActType[] {
    if (history.ended) return [];
    const present = new Set(history.context.bundles.map((bundle) => bundle.type));
    return MULTIWOZ_SYSTEM_ACT_TYPES.filter((type) => present.has(type));
  }

  /**
   * M_θ's realisation of an act type (Eq. 6): one of the type's grounded bundles, drawn by the corpus prior, with a
   * template text. A type not grounded in this history (open loop: other realisations of the node may ground it)
   * is realised as `reqmore`, a turn that moves nothing.
   */
  realize(history: TodHistory, type: MultiWozSystemActType, rng: Rng): { bundle: MultiWozActBundle; text: string } {
    const bundles = history.context.bundles.filter((bundle) => bundle.type === type);
    const options = bundles.length > 0 ? bundles : history.context.bundles.filter((bundle) => bundle.type === "reqmore");
    const pool = options.length > 0 ? options : history.context.bundles;
    const weights = this.world.prior.bundleProbabilities(history.state, pool);
    let u = rng.next();
    let bundle = pool[pool.length - 1]!;
    for (let i = 0; i < pool.length; i++) {
      u -= weights[i]!;
      if (u < 0) {
        bundle = pool[i]!;
        break;
      }
    }
    const text = this.nlg.system(bundle.acts, rng, history.state.activeDomain).text;
    this.charge("system", promptTokens(history), approximateTokens(text));
    return { bundle, text };
  }

  /** One transition h ⊕ (a, û_sys, û_usr) (Eq. 6–8): realise the act, let the planning model's user answer. */
  step(history: TodHistory, type: MultiWozSystemActType, rng: Rng): TodHistory {
    const { bundle, text } = this.realize(history, type, rng);
    return this.extend(history, { type, label: bundle.label, acts: bundle.acts, text }, bundle, rng);
  }

  /** Extends a history with a realised system reply and the simulated user's answer (Eq. 7–8). */
  extend(history: TodHistory, reply: TodReply, bundle: Pick<MultiWozActBundle, "entity">, rng: Rng): TodHistory {
    const afterSystem = applyMultiWozSystemActs(history.state, reply.acts, this.world.db, bundle.entity ? { entity: bundle.entity } : {});
    const valueHistory = advanceMultiWozValueHistory(history.valueHistory, reply.acts, history.state, afterSystem);
    const user = history.user.clone();
    const userActs = user.respond(reply.acts, rng);
    const userText = this.nlg.user(userActs, rng).text;
    this.charge("user", promptTokens(history) + approximateTokens(reply.text), approximateTokens(userText));
    const state = applyMultiWozUserActs(afterSystem, userActs, this.world.db);
    const systemEnded = reply.type === "bye" || (user.ended && user.endReason === "system-bye");
    const next = this.history(state, valueHistory, user, history, reply, userText);
    return systemEnded ? { ...next, ended: true } : next;
  }
}
