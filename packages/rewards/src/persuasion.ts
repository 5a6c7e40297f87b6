import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  gdpZeroReactionOfTurn,
  gdpZeroReactionValue,
  p4gOutcome,
  type Dialogue,
  type GdpZeroPersuadeeReaction,
  type Turn,
} from "@foresight/dialogue";

/** GDP-Zero's value of one persuadee turn: its reaction (from its annotated acts) on the −1 … 1 scale. */
export function reactionReward(turn: Pick<Turn, "speaker" | "acts" | "segments">): number {
  return gdpZeroReactionValue(gdpZeroReactionOfTurn(turn));
}

/** GDP-Zero's value estimate of a state: the mean value of the l sampled persuadee reactions. Throws on none. */
export function reactionValueEstimate(reactions: readonly GdpZeroPersuadeeReaction[]): number {
  if (reactions.length === 0) throw new Error("reactionValueEstimate: no sampled reactions");
  return reactions.reduce((sum, reaction) => sum + gdpZeroReactionValue(reaction), 0) / reactions.length;
}

/**
 * Reads one of GDP-Zero's five reaction labels out of a classifier's free-text answer (case-insensitive): the label
 * that appears first, the longer one on a tie; `undefined` when none appears.
 */
export function parseReactionLabel(text: string): GdpZeroPersuadeeReaction | undefined {
  const lower = text.toLowerCase();
  let best: { label: GdpZeroPersuadeeReaction; at: number } | undefined;
  for (const label of GDP_ZERO_PERSUADEE_REACTIONS) {
    const at = lower.search(new RegExp(`\\b${label}\\b`));
    if (at < 0) continue;
    if (!best || at < best.at || (at === best.at && label.length > best.label.length)) best = { label, at };
  }
  return best?.label;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  fifteen: 15, twenty: 20, fifty: 50, hundred: 100, half: 0.5,
};

/**
 * The donation amount (US dollars) a message states: `$1.50`, `1 dollar`, `50 cents`, `two dollars`; the first amount
 * wins; `undefined` when there is none (a bare number such as `0.5` is not read as an amount).
 */
export function extractDonationAmount(text: string): number | undefined {
  const lower = text.toLowerCase();
  const dollars = /\$\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:dollars?|bucks?|usd)\b/.exec(lower);
  const cents = /(\d+)\s*(?:cents?|¢)/.exec(lower);
  const words = /\b(one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|fifty|hundred|half)\s+(?:a\s+)?(dollars?|bucks?)\b/.exec(lower);
  const candidates: { at: number; value: number }[] = [];
  if (dollars) candidates.push({ at: dollars.index, value: Number(dollars[1] ?? dollars[2]) });
  if (cents) candidates.push({ at: cents.index, value: Number(cents[1]) / 100 });
  if (words) candidates.push({ at: words.index, value: NUMBER_WORDS[words[1]!]! });
  candidates.sort((a, b) => a.at - b.at);
  return candidates[0]?.value;
}

/** A persuadee turn that states a decision about donating. */
export interface DonationEvent {
  turnIndex: number;
  reaction: "donate" | "no donation";
  /** The amount the turn states, when it states one. */
  amount?: number;
}

/** The P4G donation events of a dialogue: persuadee turns annotated as agreeing to donate or refusing. */
export function donationEvents(dialogue: Pick<Dialogue, "turns">): DonationEvent[] {
  const events: DonationEvent[] = [];
  dialogue.turns.forEach((turn, turnIndex) => {
    if (turn.speaker !== "user") return;
    const reaction = gdpZeroReactionOfTurn(turn);
    if (reaction !== "donate" && reaction !== "no donation") return;
    const amount = reaction === "donate" ? extractDonationAmount(turn.text) : undefined;
    events.push(amount === undefined ? { turnIndex, reaction } : { turnIndex, reaction, amount });
  });
  return events;
}

/**
 * The persuasion outcome reward of a P4G dialogue: `donated` gives 1 when the persuadee's actual donation (B6) is
 * above zero, else 0; `amount` gives the actual donation in dollars.
 */
export function donationOutcomeReward(dialogue: Pick<Dialogue, "id" | "outcome">, mode: "donated" | "amount" = "donated"): number {
  const outcome = p4gOutcome(dialogue);
  return mode === "amount" ? outcome.persuadeeDonation : outcome.donated ? 1 : 0;
}
