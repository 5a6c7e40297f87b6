import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  gdpZeroReactionOfTurn,
  type Dialogue,
  type GdpZeroPersuadeeReaction,
  type GdpZeroPersuaderAct,
} from "@foresight/dialogue";
import { fitSoftmaxRegression, predictSoftmax, type SoftmaxModel } from "../stats/softmax.js";
import { mainPersuaderAct } from "./corpus.js";
import { WordsIndex } from "./reaction-words.js";

/**
 * The persuadee's reaction model: P(reaction | the persuader act just taken, the dialogue so far). The "memory" kind
 * reads the whole history (how often each act and each reaction came before, the last reaction, whether a donation
 * or a refusal was stated, and how a proposition interacts with those); the "words" kind reads that and the words of
 * the persuader turn answered (see {@link WordsIndex}: the reactions to the most similar training utterances and
 * surface features); the "memoryless" kind reads only the act just taken (the per-act reaction table of the corpus,
 * add-one smoothed in effect by the L2 penalty).
 */
export type ReactionModelKind = "words" | "memory" | "memoryless";

/** The reaction model kinds, the default first. */
export const REACTION_MODEL_KINDS: readonly ReactionModelKind[] = ["words", "memory", "memoryless"];

/**
 * Reads a setting as a reaction model kind: the one check of every option that names one (the world's persuadee,
 * a role's model, a planner setting); `setting` names the option in the one-line error.
 */
export function toReactionModelKind(value: unknown, setting: string): ReactionModelKind {
  if ((REACTION_MODEL_KINDS as readonly unknown[]).includes(value)) return value as ReactionModelKind;
  throw new RangeError(`${setting} must be one of ${REACTION_MODEL_KINDS.join(", ")}, got "${String(value)}"`);
}

/**
 * What the persuadee reacts to: the persuader acts so far (the last is the one answered), its own reactions before
 * and the words of the persuader turn answered (absent or empty: the words model uses that act's average words
 * features in training).
 */
export interface ReactionContext {
  acts: readonly GdpZeroPersuaderAct[];
  reactions: readonly GdpZeroPersuadeeReaction[];
  text?: string;
}

/** A training or test example: the context and the reaction the corpus persuadee gave. */
export interface ReactionExample extends ReactionContext {
  reaction: GdpZeroPersuadeeReaction;
  dialogueId: string;
  text: string;
}

/** The words part of a "words" model: the training utterances' index and each act's mean words features. */
export interface ReactionWords {
  index: WordsIndex;
  meanByAct: ReadonlyMap<GdpZeroPersuaderAct, readonly number[]>;
}

/**
 * A fitted reaction model. A memory or words model may back off toward the memoryless one per act: P = w_act ·
 * P_model + (1 − w_act) · P_memoryless, the weights chosen by cross-validation on the training dialogues (see
 * {@link fitReactionModels}).
 */
export interface ReactionModel {
  kind: ReactionModelKind;
  model: SoftmaxModel;
  /** The L2 penalty it was fitted with. */
  l2: number;
  /** Training examples it was fitted on. */
  examples: number;
  /** The words part (kind "words" only). */
  words?: ReactionWords;
  /** The memoryless model it backs off toward, and the weight of this model per act (absent: weight 1). */
  backoff?: { model: SoftmaxModel; weights: Readonly<Record<GdpZeroPersuaderAct, number>> };
}

const APPEALS: ReadonlySet<GdpZeroPersuaderAct> = new Set(["credibility appeal", "emotion appeal", "logical appeal"]);

/** The last stated decision among the reactions ("donate" or "no donation"), if any. */
export function lastDecision(reactions: readonly GdpZeroPersuadeeReaction[]): "donate" | "no donation" | undefined {
  for (let i = reactions.length - 1; i >= 0; i--) {
    const reaction = reactions[i]!;
    if (reaction === "donate" || reaction === "no donation") return reaction;
  }
  return undefined;
}

/**
 * The feature row of a context for a model kind; the "words" kind needs the words part, and `excludeDialogue`
 * (training rows) leaves the utterance's own dialogue out of its nearest neighbours.
 */
export function reactionFeatures(kind: ReactionModelKind, context: ReactionContext, words?: ReactionWords, excludeDialogue?: string): number[] {
  const act = context.acts[context.acts.length - 1];
  if (act === undefined) throw new Error("reactionFeatures: the context has no persuader act to react to");
  const row = [1, ...GDP_ZERO_PERSUADER_ACTS.map((a) => (a === act ? 1 : 0))];
  if (kind === "memoryless") return row;
  if (kind === "words") {
    if (!words) throw new Error("reactionFeatures: the words model needs its index of training utterances");
    const text = context.text?.trim();
    row.push(...(text ? words.index.features(text, excludeDialogue) : words.meanByAct.get(act)!));
  }
  const before = context.acts.slice(0, -1);
  const count = <T>(items: readonly T[], item: T) => items.reduce((sum, x) => sum + (x === item ? 1 : 0), 0);
  const last = context.reactions[context.reactions.length - 1];
  const decision = lastDecision(context.reactions);
  const appeals = before.filter((a) => APPEALS.has(a)).length;
  const proposition = act === "proposition of donation" ? 1 : 0;
  row.push(
    ...GDP_ZERO_PERSUADER_ACTS.map((a) => Math.log1p(count(before, a))),
    ...GDP_ZERO_PERSUADEE_REACTIONS.map((r) => Math.log1p(count(context.reactions, r))),
    ...GDP_ZERO_PERSUADEE_REACTIONS.map((r) => (r === last ? 1 : 0)),
    decision === "donate" ? 1 : 0,
    decision === "no donation" ? 1 : 0,
    Math.log1p(before.length),
    proposition * Math.log1p(appeals),
    proposition * (decision === "donate" ? 1 : 0),
    proposition * (decision === "no donation" ? 1 : 0),
    proposition * Math.log1p(count(context.reactions, "positive reaction")),
    proposition * Math.log1p(count(context.reactions, "negative reaction")),
    proposition * Math.log1p(count(before, "proposition of donation")),
  );
  return row;
}

/**
 * Every persuadee turn that answers a persuader turn, with what came before: the persuader's main acts so far and the
 * persuadee's earlier reactions (persuadee turns that do not answer a persuader turn still enter the history).
 */
export function reactionExamples(dialogues: readonly Dialogue[]): ReactionExample[] {
  const examples: ReactionExample[] = [];
  for (const dialogue of dialogues) {
    const acts: GdpZeroPersuaderAct[] = [];
    const reactions: GdpZeroPersuadeeReaction[] = [];
    let previousSpeaker: string | undefined;
    let text = "";
    for (const turn of dialogue.turns) {
      if (turn.speaker === "system") {
        acts.push(mainPersuaderAct(turn));
        text = turn.text;
      } else {
        const reaction = gdpZeroReactionOfTurn(turn);
        if (previousSpeaker === "system") examples.push({ acts: [...acts], reactions: [...reactions], reaction, dialogueId: dialogue.id, text });
        reactions.push(reaction);
      }
      previousSpeaker = turn.speaker;
    }
  }
  return examples;
}

/**
 * Fits a reaction model of a kind on the examples of the training dialogues at each of some L2 penalties (the
 * features computed once); no backoff (see {@link fitReactionModels}).
 */
export function fitReactionModel(train: readonly Dialogue[], kind: ReactionModelKind, l2s: readonly number[]): ReactionModel[] {
  const examples = reactionExamples(train);
  const words = kind === "words" ? fitWords(examples) : undefined;
  const rows = examples.map((example) => reactionFeatures(kind, example, words, example.dialogueId));
  const labels = examples.map((example) => GDP_ZERO_PERSUADEE_REACTIONS.indexOf(example.reaction));
  // Each fit starts from the previous penalty's optimum: the same optimum (the objective is convex), fewer Newton steps.
  let previous: SoftmaxModel | undefined;
  return l2s.map((l2) => {
    previous = fitSoftmaxRegression(rows, labels, GDP_ZERO_PERSUADEE_REACTIONS.length, { l2, ...(previous ? { initial: previous.weights } : {}) });
    return { kind, model: previous, l2, examples: examples.length, ...(words ? { words } : {}) };
  });
}

/** The words index of the training utterances and each act's mean words features (each row leaving its dialogue out). */
function fitWords(examples: readonly ReactionExample[]): ReactionWords {
  const index = new WordsIndex(examples.map((example) => ({ text: example.text, reaction: example.reaction, dialogueId: example.dialogueId })));
  const sums = new Map<GdpZeroPersuaderAct, { sum: number[]; n: number }>();
  for (const example of examples) {
    const act = example.acts[example.acts.length - 1]!;
    const row = index.features(example.text, example.dialogueId);
    const entry = sums.get(act) ?? { sum: row.map(() => 0), n: 0 };
    row.forEach((v, i) => (entry.sum[i]! += v));
    entry.n++;
    sums.set(act, entry);
  }
  const all = [...sums.values()].reduce((total, entry) => ({ sum: total.sum.map((v, i) => v + entry.sum[i]!), n: total.n + entry.n }));
  const mean = (entry: { sum: number[]; n: number }) => entry.sum.map((v) => v / entry.n);
  return { index, meanByAct: new Map(GDP_ZERO_PERSUADER_ACTS.map((act) => [act, mean(sums.get(act) ?? all)])) };
}

/** P(reaction | context), in {@link GDP_ZERO_PERSUADEE_REACTIONS} order. */
export function reactionDistribution(model: ReactionModel, context: ReactionContext): number[] {
  const w = model.backoff ? model.backoff.weights[context.acts[context.acts.length - 1]!] : 1;
  // A weight of 1 or 0 leaves one model: the other is not computed (the hot path of simulated reactions).
  if (w === 0) return predictSoftmax(model.backoff!.model, reactionFeatures("memoryless", context));
  const p = predictSoftmax(model.model, reactionFeatures(model.kind, context, model.words));
  if (w === 1) return p;
  const q = predictSoftmax(model.backoff!.model, reactionFeatures("memoryless", context));
  return p.map((pi, i) => w * pi + (1 - w) * q[i]!);
}

/** P(the reaction the example records | its context) under a model. */
export function reactionProbability(model: ReactionModel, example: ReactionExample): number {
  return reactionDistribution(model, example)[GDP_ZERO_PERSUADEE_REACTIONS.indexOf(example.reaction)]!;
}

/** A model's log-likelihood of the persuadee reactions of some dialogues. */
export interface ReactionLogLikelihood {
  /** Mean log-likelihood, nats per reaction. */
  meanLogLikelihood: number;
  reactions: number;
  /** Per dialogue: its id, the summed log-likelihood of its reactions and how many there are (for paired comparisons). */
  byDialogue: { dialogueId: string; logLikelihood: number; reactions: number }[];
}

/** The log-likelihood of the persuadee reactions of some dialogues under a model. */
export function reactionLogLikelihood(model: ReactionModel, dialogues: readonly Dialogue[]): ReactionLogLikelihood {
  const examples = reactionExamples(dialogues);
  if (examples.length === 0) throw new Error("reactionLogLikelihood: the dialogues have no persuadee reactions to persuader turns");
  const byId = new Map<string, { dialogueId: string; logLikelihood: number; reactions: number }>();
  let total = 0;
  for (const example of examples) {
    const ll = Math.log(reactionProbability(model, example));
    total += ll;
    const entry = byId.get(example.dialogueId) ?? { dialogueId: example.dialogueId, logLikelihood: 0, reactions: 0 };
    entry.logLikelihood += ll;
    entry.reactions++;
    byId.set(example.dialogueId, entry);
  }
  return { meanLogLikelihood: total / examples.length, reactions: examples.length, byDialogue: [...byId.values()] };
}
