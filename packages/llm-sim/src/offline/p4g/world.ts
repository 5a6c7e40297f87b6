import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  gdpZeroReactionOfTurn,
  loadPersuasionForGood,
  splitDialogues,
  type Dialogue,
  type GdpZeroPersuadeeReaction,
  type GdpZeroPersuaderAct,
  type SplitRatios,
  type Turn,
} from "@foresight/dialogue";
import { Bm25Index } from "../text/bm25.js";
import { tokenize } from "../text/tokenize.js";
import { ActNgramModel } from "../stats/ngram.js";
import type { CorpusWorldOptions } from "../world-options.js";
import {
  extractP4gTurns,
  mainPersuaderAct,
  persuaderActSequences,
  reactionCounts,
  type DonationTarget,
  type P4gPersuaderTurn,
  type P4gReply,
} from "./corpus.js";
import { fitReactionModels, type ReactionModelSelection } from "./reaction-cv.js";
import {
  REACTION_MODEL_KINDS,
  reactionLogLikelihood,
  toReactionModelKind,
  type ReactionContext,
  type ReactionLogLikelihood,
  type ReactionModel,
  type ReactionModelKind,
} from "./reaction-model.js";
import { fitDonationValue, validateDonationValue, type DonationValueModel, type DonationValueValidation } from "./value.js";

/**
 * The shares of the project's P4G split (`splitDialogues` with its default seed): the train side is the default
 * split's train side, and the held-out side is its dev and test sides together (nothing here is tuned on dev).
 */
export const P4G_SPLIT_RATIOS: SplitRatios = Object.freeze({ train: 0.8, dev: 0, test: 0.2 });

/** The seed that cuts the training dialogues into two disjoint halves for matched / mismatched worlds. */
export const P4G_HALF_SPLIT_SEED = 2;

/** Which training dialogues build a world: all of them, or one of two disjoint halves (for a mismatched planner). */
export type P4gTrainPart = "all" | "halfA" | "halfB";

/** Options of {@link PersuasionCorpusWorld.build}. */
export interface PersuasionWorldOptions extends CorpusWorldOptions {
  /** What the outcome model predicts (default "actual", the corpus' `donated`). */
  valueTarget?: DonationTarget;
  /** Order of the persuader act n-gram prior (default 3). */
  priorOrder?: number;
  /** The training dialogues used (default "all"); the held-out side is the same for every part. */
  trainPart?: P4gTrainPart;
  /**
   * The persuadee's reaction model (default "words": acts, its own history and the persuader's words; "memory": acts
   * and history only; "memoryless": the last act only).
   */
  persuadeeModel?: ReactionModelKind;
}

/** The training dialogues of a part: all, or one half of a deduplicated cut of them. */
export function p4gTrainPart(train: readonly Dialogue[], part: P4gTrainPart): Dialogue[] {
  if (part === "all") return [...train];
  const halves = splitDialogues(train, { seed: P4G_HALF_SPLIT_SEED, ratios: { train: 0.5, dev: 0, test: 0.5 } });
  return part === "halfA" ? halves.train : halves.test;
}

/** Item indexes by act; an item whose act is undefined belongs to no pool. */
function pools<A extends string>(acts: readonly A[], items: readonly { act: A | undefined }[]): Map<A, Set<number>> {
  const byAct = new Map<A, Set<number>>(acts.map((act) => [act, new Set()]));
  items.forEach((item, index) => {
    if (item.act !== undefined) byAct.get(item.act)!.add(index);
  });
  return byAct;
}

/**
 * A pseudo-token for how far into the dialogue a turn is (by persuader turns so far: 0, 1, 2, 3–4, 5–7, 8–11, 12+),
 * added to retrieval documents and queries so that greetings come early and closings late.
 */
export function stageToken(persuaderTurnsBefore: number): string {
  const bounds = [1, 2, 3, 5, 8, 12];
  const bucket = bounds.findIndex((bound) => persuaderTurnsBefore < bound);
  return `__stage${bucket === -1 ? bounds.length : bucket}`;
}

/** How many nearest corpus utterances vote when a turn's act or reaction has to be read from its text. */
const VOTERS = 7;

/**
 * The PersuasionForGood world built from the annotated corpus: retrieval indexes over persuader turns and
 * persuadee replies (by the context they answered), the persuader act n-gram prior and the donation value model,
 * all from the training dialogues of a fixed split. Build it once and share it between the roles.
 */
export class PersuasionCorpusWorld {
  /** The persuader turns of the training dialogues, indexed by the persuadee turn and persuader turn before them. */
  readonly persuaderIndex: Bm25Index;
  /** The persuadee replies of the training dialogues, indexed by the persuader turn they answered and their own previous turn. */
  readonly replyIndex: Bm25Index;
  /** Persuader turns by main act (indexes into {@link persuaderTurns}), without texts the corpus mostly labels otherwise. */
  readonly persuaderPools: Map<GdpZeroPersuaderAct, Set<number>>;
  /** Replies by the main act of the persuader turn they answered (indexes into {@link replies}). */
  readonly replyPools: Map<GdpZeroPersuaderAct, Set<number>>;
  /** The act n-gram model of real persuaders. */
  readonly prior: ActNgramModel;
  /** P(donation | reactions so far), fitted on the training dialogues. */
  readonly value: DonationValueModel;
  /** The value model's AUC on the held-out dialogues. */
  readonly validation: DonationValueValidation;
  /** The persuadee's reaction model (the words model unless built otherwise), fitted on the training dialogues. */
  readonly reactionModel: ReactionModel;
  /** Every kind of reaction model, fitted on the training dialogues (the value role reads the memory model). */
  readonly reactionModels: Readonly<Record<ReactionModelKind, ReactionModel>>;
  /** How cross-validation on the training dialogues chose each kind's L2 penalty and backoff weights. */
  readonly reactionSelection: Readonly<Record<ReactionModelKind, ReactionModelSelection>>;
  private reactionValidationMemo: Record<ReactionModelKind, ReactionLogLikelihood> | undefined;
  /** Replies by the act they answered and their own reaction (indexes into {@link replies}). */
  readonly replyPoolsByReaction: Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, Set<number>>>;
  /** Replies by reaction whatever they answered: the fallback when an act never drew a reaction in training. */
  readonly repliesByReaction: Map<GdpZeroPersuadeeReaction, Set<number>>;
  private readonly reactionTable: Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, number>>;
  private readonly persuaderTextIndex: Bm25Index;
  private readonly replyTextIndex: Bm25Index;
  /** Corpus turns by their exact (trimmed) text, so a turn the corpus roles produced is read back as its own. */
  private readonly persuaderByText: Map<string, number[]>;
  private readonly replyByText: Map<string, number[]>;

  private constructor(
    readonly train: readonly Dialogue[],
    readonly test: readonly Dialogue[],
    readonly persuaderTurns: readonly P4gPersuaderTurn[],
    readonly replies: readonly P4gReply[],
    options: PersuasionWorldOptions,
  ) {
    this.persuaderIndex = new Bm25Index(
      persuaderTurns.map((t) => [stageToken(t.stage), ...tokenize(t.previousPersuadeeText), ...tokenize(t.previousPersuaderText)]),
    );
    this.replyIndex = new Bm25Index(
      replies.map((r) => [stageToken(r.stage - 1), ...tokenize(r.persuaderText), ...tokenize(r.previousPersuadeeText)]),
    );
    this.persuaderTextIndex = new Bm25Index(persuaderTurns.map((t) => tokenize(t.text)));
    this.replyTextIndex = new Bm25Index(replies.map((r) => tokenize(r.text)));
    this.persuaderByText = byText(persuaderTurns);
    this.replyByText = byText(replies);
    // A formulaic text that the corpus labels with several acts (e.g. the ask for an amount, mostly "other") does not
    // realise its less frequent act: it would be read back as the other one, so it is left out of that act's pool.
    this.persuaderPools = pools(
      GDP_ZERO_PERSUADER_ACTS,
      persuaderTurns.map((turn) => ({ act: vote(this.persuaderByText.get(turn.text.trim())!.map((doc) => persuaderTurns[doc]!.act), turn.act) === turn.act ? turn.act : undefined })),
    );
    this.replyPools = pools(
      GDP_ZERO_PERSUADER_ACTS,
      replies.map((reply) => ({ act: reply.persuaderAct })),
    );
    this.reactionTable = reactionCounts(replies);
    this.replyPoolsByReaction = new Map(GDP_ZERO_PERSUADER_ACTS.map((act) => [act, new Map(GDP_ZERO_PERSUADEE_REACTIONS.map((r) => [r, new Set<number>()]))]));
    this.repliesByReaction = new Map(GDP_ZERO_PERSUADEE_REACTIONS.map((r) => [r, new Set<number>()]));
    replies.forEach((reply, index) => {
      this.replyPoolsByReaction.get(reply.persuaderAct)!.get(reply.reaction)!.add(index);
      this.repliesByReaction.get(reply.reaction)!.add(index);
    });
    const kind = options.persuadeeModel ?? "words";
    const { models, selection } = fitReactionModels(train);
    this.reactionModels = models;
    this.reactionSelection = selection;
    this.reactionModel = models[kind];
    this.prior = new ActNgramModel(GDP_ZERO_PERSUADER_ACTS, options.priorOrder ?? 3);
    for (const sequence of persuaderActSequences(train)) this.prior.addSequence(sequence);
    this.value = fitDonationValue(train, options.valueTarget ?? "actual");
    this.validation = validateDonationValue(this.value, train, test);
    for (const act of GDP_ZERO_PERSUADER_ACTS) {
      if (this.persuaderPools.get(act)!.size === 0 || this.replyPools.get(act)!.size === 0) {
        throw new Error(`PersuasionForGood world: no training turns for persuader act "${act}"; the corpus is too small`);
      }
    }
  }

  /**
   * Held-out log-likelihood of the persuadee's reactions under each reaction model kind, all fitted on the training
   * dialogues. Computed on first read (one BM25 search per held-out reaction): only the world check needs it.
   */
  get reactionValidation(): Record<ReactionModelKind, ReactionLogLikelihood> {
    this.reactionValidationMemo ??= Object.fromEntries(REACTION_MODEL_KINDS.map((k) => [k, reactionLogLikelihood(this.reactionModels[k], this.test)])) as Record<ReactionModelKind, ReactionLogLikelihood>;
    return this.reactionValidationMemo;
  }

  /** Loads the annotated corpus (or takes the given dialogues), splits it and builds every index and model. */
  static build(options: PersuasionWorldOptions = {}): PersuasionCorpusWorld {
    const persuadeeModel = toReactionModelKind(options.persuadeeModel ?? "words", "PersuasionForGood world: persuadeeModel");
    const dialogues = options.dialogues ?? loadPersuasionForGood({ dataDir: options.dataDir, part: "annotated" });
    const split = splitDialogues(dialogues, { ratios: options.splitRatios ?? P4G_SPLIT_RATIOS, ...(options.splitSeed === undefined ? {} : { seed: options.splitSeed }) });
    const held = [...split.dev, ...split.test];
    const train = p4gTrainPart(split.train, options.trainPart ?? "all");
    const { persuader, replies } = extractP4gTurns(train);
    return new PersuasionCorpusWorld(train, held, persuader, replies, { ...options, persuadeeModel });
  }

  /**
   * The persuader acts (see {@link actOf}) and persuadee reactions (see {@link reactionOf}) of a history, and the
   * words of its last persuader turn.
   */
  contextOf(history: readonly Turn[]): ReactionContext {
    const acts: GdpZeroPersuaderAct[] = [];
    const reactions: GdpZeroPersuadeeReaction[] = [];
    let text = "";
    for (const turn of history) {
      if (turn.speaker === "system") {
        acts.push(this.actOf(turn));
        text = turn.text;
      } else reactions.push(this.reactionOf(turn));
    }
    return { acts, reactions, text };
  }

  /** How often each reaction followed each main persuader act in the training dialogues. */
  reactionCounts(): Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, number>> {
    return this.reactionTable;
  }

  /**
   * The reaction of a persuadee turn: `state.reaction` when a simulator set it, else from its corpus labels, else
   * a GDP-Zero reaction named as an act, else (text only) the majority reaction of the corpus replies with exactly this
   * text (a reply `CorpusPersuadee` gave), else (e.g. written by an LLM) of the most similar corpus replies.
   */
  reactionOf(turn: Turn): GdpZeroPersuadeeReaction {
    const stated = turn.state?.reaction;
    if (typeof stated === "string" && (GDP_ZERO_PERSUADEE_REACTIONS as readonly string[]).includes(stated)) {
      return stated as GdpZeroPersuadeeReaction;
    }
    const named = turn.acts?.find((act) => (GDP_ZERO_PERSUADEE_REACTIONS as readonly string[]).includes(act.intent));
    if (named) return named.intent as GdpZeroPersuadeeReaction;
    if (turn.segments?.some((s) => s.acts.length > 0) || turn.acts?.length) {
      try {
        return gdpZeroReactionOfTurn({ ...turn, speaker: "user" });
      } catch {
        // labels outside the corpus' vocabulary: read the text instead
      }
    }
    const docs = this.replyByText.get(turn.text.trim()) ?? this.replyTextIndex.search(tokenize(turn.text), { topK: VOTERS }).map((hit) => hit.doc);
    return vote(docs.map((doc) => this.replies[doc]!.reaction), "neutral");
  }

  /**
   * The GDP-Zero act of a persuader turn: `state.gdpZeroAct`, or acts that are all GDP-Zero labels (the first but
   * "other"), else from its corpus labels, else (text only) the majority act of the corpus turns with exactly this text
   * (a turn `CorpusPersuader` realised), else of the most similar corpus turns.
   */
  actOf(turn: Turn): GdpZeroPersuaderAct {
    const stated = turn.state?.gdpZeroAct;
    if (typeof stated === "string" && (GDP_ZERO_PERSUADER_ACTS as readonly string[]).includes(stated)) return stated as GdpZeroPersuaderAct;
    const intents = (turn.acts ?? []).map((act) => act.intent);
    if (intents.length > 0 && intents.every((intent) => (GDP_ZERO_PERSUADER_ACTS as readonly string[]).includes(intent))) {
      return (intents.find((intent) => intent !== "other") ?? "other") as GdpZeroPersuaderAct;
    }
    if (turn.segments?.some((s) => s.acts.length > 0) || turn.acts?.length) {
      try {
        return mainPersuaderAct(turn);
      } catch {
        // labels outside the corpus' vocabulary: read the text instead
      }
    }
    const docs = this.persuaderByText.get(turn.text.trim()) ?? this.persuaderTextIndex.search(tokenize(turn.text), { topK: VOTERS }).map((hit) => hit.doc);
    return vote(docs.map((doc) => this.persuaderTurns[doc]!.act), "other");
  }
}

/** Indexes of items by their trimmed text. */
function byText(items: readonly { text: string }[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = item.text.trim();
    const list = map.get(key);
    if (list) list.push(index);
    else map.set(key, [index]);
  });
  return map;
}

/** The most frequent label (first seen wins ties), or the fallback when there are none. */
function vote<T>(labels: readonly T[], fallback: T): T {
  const counts = new Map<T, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best = fallback;
  let bestCount = 0;
  for (const [label, count] of counts) {
    if (count > bestCount) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}
