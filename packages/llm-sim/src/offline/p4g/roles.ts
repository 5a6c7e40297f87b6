import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  type GdpZeroPersuadeeReaction,
  type GdpZeroPersuaderAct,
  gdpZeroReactionValue,
  type Rng,
  type Segment,
  type Turn,
} from "@foresight/dialogue";
import type {
  ActInput,
  PriorOptions,
  PriorPolicy,
  PriorResult,
  RoleCallOptions,
  SystemCandidate,
  SystemRole,
  UserReply,
  UserSimulator,
  ValueEstimate,
  ValueFunction,
  ValueOptions,
} from "../../roles/types.js";
import { persuasionPack } from "../../packs/persuasion.js";
import { RetrievalRole, saidBefore, type RetrievalRoleOptions } from "../retrieval-role.js";
import { sampleFromTable } from "../text/sample.js";
import { retrieveAndSample } from "../text/retrieve.js";
import { tokenize } from "../text/tokenize.js";
import { reactionDistribution, toReactionModelKind, type ReactionModel, type ReactionModelKind } from "./reaction-model.js";
import { donationProbability } from "./value.js";
import { stageToken, type PersuasionCorpusWorld } from "./world.js";

/** Where a simulated turn's words come from in the corpus. */
export interface CorpusSource {
  dialogueId: string;
  turn: number;
}

/** A persuadee turn chosen from the corpus, with its GDP-Zero reaction and the corpus labels of its sentences. */
export interface PersuadeeReply {
  text: string;
  reaction: GdpZeroPersuadeeReaction;
  labels: string[];
  source: CorpusSource;
}

/** A persuader turn chosen from the corpus that carries the requested act. */
export interface PersuaderUtterance {
  text: string;
  act: GdpZeroPersuaderAct;
  labels: string[];
  /** The corpus turn's sentences with their labels. */
  segments: Segment[];
  source: CorpusSource;
}

/** Options of the corpus persuasion roles. */
export type CorpusRoleOptions = RetrievalRoleOptions;

function lastText(history: readonly Turn[], speaker: Turn["speaker"]): string {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.speaker === speaker) return history[i]!.text;
  return "";
}

/** Whether the history ends with a persuader turn (the turn a persuadee reply would answer). */
function lastPersuaderIsAnswered(history: readonly Turn[]): boolean {
  return history.length > 0 && history[history.length - 1]!.speaker === "system";
}

/** Reads an act given by label or spec as a GDP-Zero persuader act (case-insensitive); throws naming the acts. */
export function toPersuaderAct(act: ActInput): GdpZeroPersuaderAct {
  const label = (typeof act === "string" ? act : act.label).trim().toLowerCase();
  const found = GDP_ZERO_PERSUADER_ACTS.find((known) => known === label);
  if (!found) throw new RangeError(`"${label}" is not a PersuasionForGood persuader act (one of: ${GDP_ZERO_PERSUADER_ACTS.join(", ")})`);
  return found;
}

/** Options of {@link CorpusPersuadee}. */
export interface CorpusPersuadeeOptions extends CorpusRoleOptions {
  /** Counts replies that had to come from another act's pool (the act never drew that reaction in training). */
  onFallback?: (reason: string) => void;
  /** The reaction model it samples from (default the world's persuadee model, see `persuadeeModel`). */
  reactionModel?: ReactionModelKind;
}

/**
 * The PersuasionForGood persuadee, fitted on the real annotated corpus: its reaction is sampled from the world's
 * reaction model given the whole dialogue so far (the persuader's acts and its own earlier reactions, see
 * `reaction-model.ts`), and its words are a real training reply with that reaction to the same act, the one whose
 * context (dialogue stage, the persuader turn answered, its own previous turn) is most like the current one by BM25,
 * sampled among the best. Implements the user-simulator role without any LLM.
 */
export class CorpusPersuadee extends RetrievalRole<PersuasionCorpusWorld> implements UserSimulator {
  private readonly onFallback: ((reason: string) => void) | undefined;
  /** The reaction model it samples from. */
  readonly reactionModel: ReactionModel;

  /** A persuadee over a built world. */
  constructor(world: PersuasionCorpusWorld, options: CorpusPersuadeeOptions) {
    super(world, options);
    this.onFallback = options.onFallback;
    this.reactionModel = options.reactionModel === undefined ? world.reactionModel : world.reactionModels[toReactionModelKind(options.reactionModel, "CorpusPersuadee: reactionModel")];
  }

  /**
   * P(reaction | history, act) over GDP-Zero's reactions; `act` defaults to the history's last persuader act. When
   * the history does not end with a persuader turn, `act` is a turn not yet said and `text` its words (absent: the
   * words model uses the act's average words).
   */
  reactionProbabilities(history: readonly Turn[], act?: GdpZeroPersuaderAct, text?: string): Map<GdpZeroPersuadeeReaction, number> {
    const context = this.world.contextOf(history);
    const answered = lastPersuaderIsAnswered(history);
    const acts = act === undefined ? [...context.acts] : [...context.acts.slice(0, answered ? -1 : undefined), act];
    if (acts.length === 0) acts.push("greeting");
    const words = act === undefined || answered ? context.text : text;
    const p = reactionDistribution(this.reactionModel, { acts, reactions: context.reactions, ...(words === undefined ? {} : { text: words }) });
    return new Map(GDP_ZERO_PERSUADEE_REACTIONS.map((r, i) => [r, p[i]!]));
  }

  /** The reply to the history's last persuader turn; `act` defaults to that turn's act (see `world.actOf`). */
  pick(history: readonly Turn[], act?: GdpZeroPersuaderAct, rng: Rng = this.rng): PersuadeeReply {
    const persuaderTurns = history.filter((turn) => turn.speaker === "system");
    const lastPersuader = persuaderTurns[persuaderTurns.length - 1];
    const persuaderAct = act ?? (lastPersuader ? this.world.actOf(lastPersuader) : "greeting");
    const reaction = sampleFromTable(this.reactionProbabilities(history, persuaderAct), rng);
    const stage = stageToken(Math.max(0, persuaderTurns.length - 1));
    const query = [stage, ...tokenize(lastText(history, "system")), ...tokenize(lastText(history, "user"))];
    const said = saidBefore(history);
    const options = { ...this.sampling, exclude: (d: number) => said.has(this.world.replies[d]!.text.trim()) };
    let doc = retrieveAndSample(this.world.replyIndex, query, rng, { ...options, pool: this.world.replyPoolsByReaction.get(persuaderAct)!.get(reaction) });
    if (doc === undefined) {
      this.onFallback?.("persuadee reply from another act's pool");
      doc = retrieveAndSample(this.world.replyIndex, query, rng, { ...options, pool: this.world.repliesByReaction.get(reaction) });
    }
    if (doc === undefined) throw new Error(`CorpusPersuadee: every "${reaction}" reply was already said in this dialogue`);
    const reply = this.world.replies[doc]!;
    return { text: reply.text, reaction, labels: reply.labels, source: { dialogueId: reply.dialogueId, turn: reply.turn } };
  }

  /** {@link pick} as a dialogue turn: corpus labels as acts, the reaction in `state.reaction`. */
  pickTurn(history: readonly Turn[], act?: GdpZeroPersuaderAct, rng: Rng = this.rng): Turn {
    const reply = this.pick(history, act, rng);
    return {
      speaker: "user",
      text: reply.text,
      acts: reply.labels.map((intent) => ({ intent })),
      state: { reaction: reply.reaction },
      metadata: { source: reply.source },
    };
  }

  /** The user-simulator role: the next persuadee turn with its reaction (the corpus persuadee never ends a dialogue). */
  async respond(history: readonly Turn[], _options?: RoleCallOptions): Promise<UserReply> {
    const reply = this.pick(history);
    return { text: reply.text, reaction: reply.reaction, ended: false, fallback: false };
  }
}

/**
 * The PersuasionForGood persuader's realisation of an act, by retrieval: among real persuader turns whose main act
 * is the requested one, those that answered a context most like the current one (dialogue stage, the persuadee's
 * last turn and the persuader's own previous turn), one sampled among the best; a turn already said in the
 * dialogue is not repeated. Implements the system role without any LLM.
 */
export class CorpusPersuader extends RetrievalRole<PersuasionCorpusWorld> implements SystemRole {
  /** A real persuader utterance carrying `act`, chosen for the history; `avoid` lists further texts not to use. */
  realize(history: readonly Turn[], act: GdpZeroPersuaderAct, rng: Rng = this.rng, avoid: ReadonlySet<string> = new Set()): PersuaderUtterance {
    const stage = stageToken(history.filter((turn) => turn.speaker === "system").length);
    const query = [stage, ...tokenize(lastText(history, "user")), ...tokenize(lastText(history, "system"))];
    const said = saidBefore(history);
    const doc = retrieveAndSample(this.world.persuaderIndex, query, rng, {
      ...this.sampling,
      pool: this.world.persuaderPools.get(act),
      exclude: (d) => said.has(this.world.persuaderTurns[d]!.text.trim()) || avoid.has(this.world.persuaderTurns[d]!.text.trim()),
    });
    if (doc === undefined) throw new Error(`CorpusPersuader: every persuader turn with act "${act}" was already used in this dialogue`);
    const turn = this.world.persuaderTurns[doc]!;
    return { text: turn.text, act, labels: turn.labels, segments: turn.segments, source: { dialogueId: turn.dialogueId, turn: turn.turn } };
  }

  /** {@link realize} as a dialogue turn: corpus labels as acts and segments, the GDP-Zero act in `state.gdpZeroAct`. */
  realizeTurn(history: readonly Turn[], act: GdpZeroPersuaderAct, rng: Rng = this.rng): Turn {
    const utterance = this.realize(history, act, rng);
    return {
      speaker: "system",
      text: utterance.text,
      acts: utterance.labels.map((intent) => ({ intent })),
      segments: utterance.segments,
      state: { gdpZeroAct: act },
      metadata: { source: utterance.source },
    };
  }

  /** The system role: up to `m` distinct real persuader utterances carrying `act` (fewer when the corpus has fewer). */
  async reply(history: readonly Turn[], act: ActInput, m: number, _options?: RoleCallOptions): Promise<SystemCandidate[]> {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
    const persuaderAct = toPersuaderAct(act);
    const used = new Set<string>();
    const candidates: SystemCandidate[] = [];
    while (candidates.length < m) {
      let utterance: PersuaderUtterance;
      try {
        utterance = this.realize(history, persuaderAct, this.rng, used);
      } catch (error) {
        if (candidates.length > 0) break;
        throw error;
      }
      used.add(utterance.text.trim());
      candidates.push({ text: utterance.text, act: persuaderAct, fallback: false });
    }
    return candidates;
  }
}

/** The persuader's act prior from the act n-gram statistics of real persuaders (see `ActNgramModel`). */
export class CorpusPersuaderPrior implements PriorPolicy {
  /** A prior over a built world. */
  constructor(readonly world: PersuasionCorpusWorld) {}

  /** P(next act | the persuader acts of the history), over GDP-Zero's seven acts; sums to 1. */
  distribution(history: readonly Turn[]): Map<GdpZeroPersuaderAct, number> {
    const acts = history.filter((turn) => turn.speaker === "system").map((turn) => this.world.actOf(turn));
    return this.world.prior.distribution(acts) as Map<GdpZeroPersuaderAct, number>;
  }

  /** Samples the next act from {@link distribution}. */
  sample(history: readonly Turn[], rng: Rng): GdpZeroPersuaderAct {
    return sampleFromTable(this.distribution(history), rng);
  }

  /** The prior role: the n-gram distribution, restricted to `options.acts` (renormalised) when given. */
  async prior(history: readonly Turn[], options: PriorOptions = {}): Promise<PriorResult> {
    const distribution = this.distribution(history);
    const acts = options.acts ? options.acts.map(toPersuaderAct) : [...GDP_ZERO_PERSUADER_ACTS];
    const mass = acts.map((act) => distribution.get(act)!);
    const total = mass.reduce((sum, p) => sum + p, 0);
    return {
      acts,
      probabilities: mass.map((p) => p / total),
      method: "corpus",
      requests: 0,
      completions: 0,
      unparsed: 0,
      fallback: false,
    };
  }
}

/** The persuadee's probability of eventual donation from the corpus outcome model, and 2p − 1. */
export interface DonationEstimate {
  /** P(donation), from the logistic model fitted on the corpus outcomes. */
  probability: number;
  /** 2p − 1, in GDP-Zero's value range [−1, 1]. */
  value: number;
  /** The reactions the estimate was read from, one per persuadee turn. */
  reactions: GdpZeroPersuadeeReaction[];
}

/** The corpus outcome model's P(actual donation) after a history (reactions read by `world.reactionOf`). */
export function donationOutcomeEstimate(world: PersuasionCorpusWorld, history: readonly Turn[]): DonationEstimate {
  const reactions = history.filter((turn) => turn.speaker === "user").map((turn) => world.reactionOf(turn));
  const probability = donationProbability(world.value, reactions);
  return { probability, value: 2 * probability - 1, reactions };
}

/** Options of {@link CorpusReactionValue}. */
export interface CorpusReactionValueOptions {
  /** Seeded generator of the sampled reactions. */
  rng: Rng;
  /** Reactions sampled per estimate, l (default 10, GDP-Zero); 0 returns the exact expectation instead. */
  samples?: number;
  /**
   * The reaction model that answers the donation question (default "memory"): its words are always the same, and
   * the memory model ranks a stated donation above a positive reaction after every opening, which the words model,
   * fitted for the persuader's varied words, does not.
   */
  reactionModel?: ReactionModelKind;
}

/**
 * GDP-Zero's value role without an LLM: the persuader asks "Would you be interested in donating to Save the
 * Children?" (a proposition of donation, in these words) after the history, the world's persuadee reacts l times (reactions sampled
 * from its fitted memory reaction model, which reads the whole history), and each reaction is mapped no donation −1,
 * negative −0.5, neutral 0, positive 0.5, donate 1; the value is their mean. With `act`, the act is taken first
 * (its reaction sampled too) and then the question is asked.
 */
export class CorpusReactionValue implements ValueFunction {
  private readonly persuadee: CorpusPersuadee;
  private readonly samples: number;
  private readonly rng: Rng;

  /** A value role over a built world. */
  constructor(
    readonly world: PersuasionCorpusWorld,
    options: CorpusReactionValueOptions,
  ) {
    this.samples = options.samples ?? 10;
    if (!Number.isInteger(this.samples) || this.samples < 0) throw new RangeError(`samples must be a non-negative integer, got ${this.samples}`);
    this.rng = options.rng;
    this.persuadee = new CorpusPersuadee(world, { rng: options.rng, reactionModel: options.reactionModel ?? "memory" });
  }

  /** The exact expected reaction value of the donation question after the history (no sampling). */
  expectedValue(history: readonly Turn[]): number {
    const p = this.persuadee.reactionProbabilities(history, "proposition of donation", persuasionPack.valueQuestion);
    return GDP_ZERO_PERSUADEE_REACTIONS.reduce((sum, r) => sum + p.get(r)! * gdpZeroReactionValue(r), 0);
  }

  /** The value role: the mean of l sampled reaction values (or the exact expectation when `samples` is 0). */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    let probed = history;
    if (options.act !== undefined) {
      const act = toPersuaderAct(options.act);
      const reaction = sampleFromTable(this.persuadee.reactionProbabilities(history, act), this.rng);
      probed = [...history, { speaker: "system", text: "", state: { gdpZeroAct: act } }, { speaker: "user", text: "", state: { reaction } }];
    }
    if (this.samples === 0) {
      const value = this.expectedValue(probed);
      return { value, samples: [value], unparsed: 0, fallback: false };
    }
    const p = this.persuadee.reactionProbabilities(probed, "proposition of donation", persuasionPack.valueQuestion);
    const samples = Array.from({ length: this.samples }, () => gdpZeroReactionValue(sampleFromTable(p, this.rng)));
    return { value: samples.reduce((sum, v) => sum + v, 0) / samples.length, samples, unparsed: 0, fallback: false };
  }
}
