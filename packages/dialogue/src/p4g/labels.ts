import type { DialogueAct, Turn } from "../core/schema.js";

/**
 * GDP-Zero's persuader dialogue acts (Yu et al., EMNLP 2023), in the order the paper lists them. The planner
 * searches over these; each corpus label of the persuader side maps to exactly one of them.
 */
export const GDP_ZERO_PERSUADER_ACTS = [
  "credibility appeal",
  "emotion appeal",
  "proposition of donation",
  "logical appeal",
  "task related inquiry",
  "greeting",
  "other",
] as const;
export type GdpZeroPersuaderAct = (typeof GDP_ZERO_PERSUADER_ACTS)[number];

/**
 * GDP-Zero's persuadee reactions, from most negative to most positive; its value function scores them
 * −1, −0.5, 0, 0.5 and 1 respectively.
 */
export const GDP_ZERO_PERSUADEE_REACTIONS = [
  "no donation",
  "negative reaction",
  "neutral",
  "positive reaction",
  "donate",
] as const;
export type GdpZeroPersuadeeReaction = (typeof GDP_ZERO_PERSUADEE_REACTIONS)[number];

/**
 * Every persuader-side label of PersuasionForGood's annotated corpus (columns `er_label_1` and `er_label_2`)
 * and its GDP-Zero act. GDP-Zero keeps five strategies and greetings as they are, folds the three inquiry
 * kinds into "task related inquiry", and puts everything else into "other". Decisions beyond that rule:
 * - `non-personal-Task-related-inquiry` (only in `er_label_2`, twice) is the annotators' spelling of a
 *   task-related inquiry, so it is one.
 * - `ask-donation-amount` asks the persuadee to donate (naming or asking for an amount): a proposition of donation.
 * - `ask-donate-more` and `confirm-donation` come after a donation was agreed, so they are "other".
 * - The persuader's answers to the persuadee's questions (`positive-/neutral-/negative-to-inquiry`) are "other".
 */
export const P4G_PERSUADER_ACT_TABLE: Readonly<Record<string, GdpZeroPersuaderAct>> = Object.freeze({
  "credibility-appeal": "credibility appeal",
  "emotion-appeal": "emotion appeal",
  "logical-appeal": "logical appeal",
  "proposition-of-donation": "proposition of donation",
  "task-related-inquiry": "task related inquiry",
  "personal-related-inquiry": "task related inquiry",
  "source-related-inquiry": "task related inquiry",
  "non-personal-Task-related-inquiry": "task related inquiry",
  greeting: "greeting",
  "foot-in-the-door": "other",
  "self-modeling": "other",
  "personal-story": "other",
  "donation-information": "other",
  "ask-donation-amount": "proposition of donation",
  "ask-donate-more": "other",
  "ask-not-donate-reason": "other",
  "confirm-donation": "other",
  "comment-partner": "other",
  "praise-user": "other",
  acknowledgement: "other",
  "positive-to-inquiry": "other",
  "neutral-to-inquiry": "other",
  "negative-to-inquiry": "other",
  thank: "other",
  "you-are-welcome": "other",
  closing: "other",
  "off-task": "other",
  other: "other",
});

/**
 * Every persuadee-side label of the annotated corpus (columns `ee_label_1` and `ee_label_2`) and its GDP-Zero
 * reaction. Decisions:
 * - "donate": the persuadee commits — `agree-donation`, `provide-donation-amount` (names an amount) and
 *   `confirm-donation` (restates the commitment).
 * - "no donation": only `disagree-donation`, the explicit refusal to donate at all.
 * - "negative reaction": `negative-reaction-to-donation` (doubts, objections) and `disagree-donation-more`, which
 *   declines to give *more* after a donation was agreed, so it is pushback, not a refusal to donate.
 * - "positive reaction": `positive-reaction-to-donation`.
 * - "neutral": `neutral-reaction-to-donation` and every other label (questions such as `ask-org-info` and
 *   `ask-donation-procedure`, answers to inquiries, greetings, thanks, closings, off-task talk), as in GDP-Zero.
 */
export const P4G_PERSUADEE_REACTION_TABLE: Readonly<Record<string, GdpZeroPersuadeeReaction>> = Object.freeze({
  "agree-donation": "donate",
  "provide-donation-amount": "donate",
  "confirm-donation": "donate",
  "disagree-donation": "no donation",
  "negative-reaction-to-donation": "negative reaction",
  "disagree-donation-more": "negative reaction",
  "positive-reaction-to-donation": "positive reaction",
  "neutral-reaction-to-donation": "neutral",
  "ask-org-info": "neutral",
  "ask-donation-procedure": "neutral",
  "ask-persuader-donation-intention": "neutral",
  "task-related-inquiry": "neutral",
  "personal-related-inquiry": "neutral",
  "positive-to-inquiry": "neutral",
  "neutral-to-inquiry": "neutral",
  "negative-to-inquiry": "neutral",
  acknowledgement: "neutral",
  greeting: "neutral",
  thank: "neutral",
  "you-are-welcome": "neutral",
  closing: "neutral",
  "off-task": "neutral",
  other: "neutral",
});

/** An act label that is not in the persuader or persuadee mapping table. */
export class UnknownP4gLabelError extends Error {
  constructor(
    readonly label: string,
    readonly side: "persuader" | "persuadee",
  ) {
    super(`unknown PersuasionForGood ${side} label "${label}": add it to the ${side} mapping table`);
    this.name = "UnknownP4gLabelError";
  }
}

/** Maps a persuader label (e.g. `credibility-appeal`) to GDP-Zero's act; throws on a label the table lacks. */
export function toGdpZeroPersuaderAct(label: string): GdpZeroPersuaderAct {
  const act = Object.hasOwn(P4G_PERSUADER_ACT_TABLE, label) ? P4G_PERSUADER_ACT_TABLE[label] : undefined;
  if (act === undefined) throw new UnknownP4gLabelError(label, "persuader");
  return act;
}

/** Maps a persuadee label (e.g. `positive-reaction-to-donation`) to GDP-Zero's reaction; throws on an unknown one. */
export function toGdpZeroPersuadeeReaction(label: string): GdpZeroPersuadeeReaction {
  const reaction = Object.hasOwn(P4G_PERSUADEE_REACTION_TABLE, label) ? P4G_PERSUADEE_REACTION_TABLE[label] : undefined;
  if (reaction === undefined) throw new UnknownP4gLabelError(label, "persuadee");
  return reaction;
}

/** GDP-Zero's value of a reaction: −1, −0.5, 0, 0.5, 1 from "no donation" to "donate". */
export function gdpZeroReactionValue(reaction: GdpZeroPersuadeeReaction): number {
  return GDP_ZERO_PERSUADEE_REACTIONS.indexOf(reaction) * 0.5 - 1;
}

/**
 * How decisive a reaction is: a stated outcome ("donate", "no donation") over a polar reaction ("positive
 * reaction", "negative reaction") over "neutral".
 */
function decisiveness(reaction: GdpZeroPersuadeeReaction): number {
  if (reaction === "donate" || reaction === "no donation") return 2;
  if (reaction === "positive reaction" || reaction === "negative reaction") return 1;
  return 0;
}

/**
 * The reaction of a sequence of persuadee labels (a turn's sentences in order): the most decisive one, where a
 * stated outcome beats a polar reaction, which beats neutral; among equally decisive labels the *last* wins,
 * since a later sentence revises an earlier one ("I'd give $1. Actually, no."). No labels → "neutral".
 */
export function gdpZeroReactionOfLabels(labels: readonly string[]): GdpZeroPersuadeeReaction {
  let best: GdpZeroPersuadeeReaction = "neutral";
  for (const label of labels) {
    const reaction = toGdpZeroPersuadeeReaction(label);
    if (decisiveness(reaction) >= decisiveness(best)) best = reaction;
  }
  return best;
}

function intents(acts: readonly DialogueAct[] | undefined): string[] {
  return (acts ?? []).map((act) => act.intent);
}

/**
 * A persuadee turn's reaction from its sentences' labels (see {@link gdpZeroReactionOfLabels}); uses the turn's
 * `acts` when it has no segments. Throws when the turn is the persuader's.
 */
export function gdpZeroReactionOfTurn(turn: Pick<Turn, "speaker" | "acts" | "segments">): GdpZeroPersuadeeReaction {
  if (turn.speaker !== "user") throw new Error("gdpZeroReactionOfTurn: the turn is the persuader's (speaker system)");
  const labels = turn.segments ? turn.segments.flatMap((segment) => intents(segment.acts)) : intents(turn.acts);
  return gdpZeroReactionOfLabels(labels);
}

/** A persuader turn's distinct GDP-Zero acts in order of first appearance. Throws when the turn is the persuadee's. */
export function gdpZeroActsOfTurn(turn: Pick<Turn, "speaker" | "acts">): GdpZeroPersuaderAct[] {
  if (turn.speaker !== "system") throw new Error("gdpZeroActsOfTurn: the turn is the persuadee's (speaker user)");
  return [...new Set(intents(turn.acts).map(toGdpZeroPersuaderAct))];
}
