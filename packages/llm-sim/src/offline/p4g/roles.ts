import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  type GdpZeroPersuadeeReaction,
  type GdpZeroPersuaderAct,
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
import { RetrievalRole, saidBefore, type RetrievalRoleOptions } from "../retrieval-role.js";
import { sampleFromTable } from "../text/sample.js";
import { retrieveAndSample } from "../text/retrieve.js";
import { tokenize } from "../text/tokenize.js";
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

/** Reads an act given by label or spec as a GDP-Zero persuader act (case-insensitive); throws naming the acts. */
export function toPersuaderAct(act: ActInput): GdpZeroPersuaderAct {
  const label = (typeof act === "string" ? act : act.label).trim().toLowerCase();
  const found = GDP_ZERO_PERSUADER_ACTS.find((known) => known === label);
  if (!found) throw new RangeError(`"${label}" is not a PersuasionForGood persuader act (one of: ${GDP_ZERO_PERSUADER_ACTS.join(", ")})`);
  return found;
}

/**
 * The PersuasionForGood persuadee, played by retrieval over the real annotated corpus: among the training replies
 * that followed a persuader turn with the same act, the ones whose context (dialogue stage, the persuader turn
 * answered and the persuadee's own previous turn) is most like the current one by BM25, one sampled among the
 * best. The reaction is the sampled reply's own annotated reaction, so reactions follow what people said after
 * each act. Implements the user-simulator role without any LLM.
 */
export class CorpusPersuadee extends RetrievalRole<PersuasionCorpusWorld> implements UserSimulator {
  /** The reply to the history's last persuader turn; `act` defaults to that turn's act (see `world.actOf`). */
  pick(history: readonly Turn[], act?: GdpZeroPersuaderAct, rng: Rng = this.rng): PersuadeeReply {
    const persuaderTurns = history.filter((turn) => turn.speaker === "system");
    const lastPersuader = persuaderTurns[persuaderTurns.length - 1];
    const persuaderAct = act ?? (lastPersuader ? this.world.actOf(lastPersuader) : "greeting");
    const stage = stageToken(Math.max(0, persuaderTurns.length - 1));
    const query = [stage, ...tokenize(lastText(history, "system")), ...tokenize(lastText(history, "user"))];
    const said = saidBefore(history);
    const doc = retrieveAndSample(this.world.replyIndex, query, rng, {
      ...this.sampling,
      pool: this.world.replyPools.get(persuaderAct),
      exclude: (d) => said.has(this.world.replies[d]!.text.trim()),
    });
    if (doc === undefined) throw new Error(`CorpusPersuadee: every reply after "${persuaderAct}" was already said in this dialogue`);
    const reply = this.world.replies[doc]!;
    return { text: reply.text, reaction: reply.reaction, labels: reply.labels, source: { dialogueId: reply.dialogueId, turn: reply.turn } };
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

/** The persuadee's probability of eventual donation and GDP-Zero's value scale of it. */
export interface DonationEstimate {
  /** P(donation), from the logistic model fitted on the corpus outcomes. */
  probability: number;
  /** 2p − 1, in GDP-Zero's value range [−1, 1]. */
  value: number;
  /** The reactions the estimate was read from, one per persuadee turn. */
  reactions: GdpZeroPersuadeeReaction[];
}

/**
 * The value of a persuasion history: the fitted model's probability that the persuadee will donate, as 2p − 1.
 * With an act, V(h, a) is the expectation over the reaction that act draws in the corpus (add-one smoothed counts).
 */
export class CorpusDonationValue implements ValueFunction {
  /** A value estimate over a built world. */
  constructor(readonly world: PersuasionCorpusWorld) {}

  /** Reads each persuadee turn's reaction (see `world.reactionOf`) and returns the model's estimate. */
  estimate(history: readonly Turn[]): DonationEstimate {
    const reactions = history.filter((turn) => turn.speaker === "user").map((turn) => this.world.reactionOf(turn));
    const probability = donationProbability(this.world.value, reactions);
    return { probability, value: 2 * probability - 1, reactions };
  }

  /** The value role: V(h) = 2p − 1, or V(h, a) averaged over the reactions `a` draws. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    const { reactions, value } = this.estimate(history);
    if (options.act === undefined) return { value, samples: [value], unparsed: 0, fallback: false };
    const counts = this.world.reactionCounts().get(toPersuaderAct(options.act))!;
    const total = GDP_ZERO_PERSUADEE_REACTIONS.reduce((sum, r) => sum + (counts.get(r) ?? 0) + 1, 0);
    const samples = GDP_ZERO_PERSUADEE_REACTIONS.map((r) => 2 * donationProbability(this.world.value, [...reactions, r]) - 1);
    const expected = GDP_ZERO_PERSUADEE_REACTIONS.reduce((sum, r, i) => sum + (((counts.get(r) ?? 0) + 1) / total) * samples[i]!, 0);
    return { value: expected, samples, unparsed: 0, fallback: false };
  }
}
