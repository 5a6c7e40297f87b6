import {
  GDP_ZERO_PERSUADER_ACTS,
  gdpZeroReactionOfTurn,
  p4gOutcome,
  toGdpZeroPersuaderAct,
  type Dialogue,
  type GdpZeroPersuadeeReaction,
  type GdpZeroPersuaderAct,
  type Segment,
  type Turn,
} from "@foresight/dialogue";

/** A persuader turn of the annotated corpus with the act it realises and what came before it. */
export interface P4gPersuaderTurn {
  dialogueId: string;
  /** Index of the turn in its dialogue. */
  turn: number;
  text: string;
  /** The turn's main GDP-Zero act (see {@link mainPersuaderAct}). */
  act: GdpZeroPersuaderAct;
  /** The corpus labels of its sentences, in order, without repeats. */
  labels: string[];
  /** Its sentences with their corpus labels. */
  segments: Segment[];
  /** How many persuader turns came before it in its dialogue. */
  stage: number;
  /** The persuadee's turn just before ("" at the start). */
  previousPersuadeeText: string;
  /** The persuader's own turn before that ("" at the start). */
  previousPersuaderText: string;
}

/** A persuadee turn of the annotated corpus with the persuader turn it answered. */
export interface P4gReply {
  dialogueId: string;
  /** Index of the persuadee turn in its dialogue. */
  turn: number;
  text: string;
  reaction: GdpZeroPersuadeeReaction;
  labels: string[];
  /** The persuader turn it answered and that turn's main act. */
  persuaderText: string;
  persuaderAct: GdpZeroPersuaderAct;
  /** The persuadee's own previous turn ("" when none). */
  previousPersuadeeText: string;
  /** How many persuader turns came before it in its dialogue (at least 1: the one it answered). */
  stage: number;
}

/** The GDP-Zero acts of each sentence of a persuader turn (the turn's acts as one group when it has no sentences). */
function segmentActs(turn: Turn): GdpZeroPersuaderAct[][] {
  if (turn.segments) return turn.segments.map((segment) => segment.acts.map((act) => toGdpZeroPersuaderAct(act.intent)));
  return [(turn.acts ?? []).map((act) => toGdpZeroPersuaderAct(act.intent))];
}

/**
 * The one GDP-Zero act a corpus persuader turn stands for: the act of most of its sentences, "other" counting only
 * when the turn has nothing else (almost every turn has some "other" sentence: thanks, acknowledgements); a tie
 * goes to the act that occurs later in the turn, the part the persuadee answers. A turn without labels is "other".
 */
export function mainPersuaderAct(turn: Turn): GdpZeroPersuaderAct {
  const counts = new Map<GdpZeroPersuaderAct, { count: number; last: number }>();
  segmentActs(turn).forEach((acts, position) => {
    for (const act of acts) {
      if (act === "other") continue;
      const entry = counts.get(act) ?? { count: 0, last: -1 };
      counts.set(act, { count: entry.count + 1, last: position });
    }
  });
  let best: GdpZeroPersuaderAct = "other";
  let bestEntry = { count: 0, last: -1 };
  for (const [act, entry] of counts) {
    if (entry.count > bestEntry.count || (entry.count === bestEntry.count && entry.last > bestEntry.last)) {
      best = act;
      bestEntry = entry;
    }
  }
  return best;
}

function labelsOf(turn: Turn): string[] {
  return [...new Set((turn.acts ?? []).map((act) => act.intent))];
}

/** The persuader turns and persuadee replies of annotated dialogues, in corpus order. */
export function extractP4gTurns(dialogues: readonly Dialogue[]): { persuader: P4gPersuaderTurn[]; replies: P4gReply[] } {
  const persuader: P4gPersuaderTurn[] = [];
  const replies: P4gReply[] = [];
  for (const dialogue of dialogues) {
    let previousPersuadee = "";
    let previousPersuader = "";
    let lastPersuader: P4gPersuaderTurn | undefined;
    let stage = 0;
    dialogue.turns.forEach((turn, index) => {
      if (turn.speaker === "system") {
        lastPersuader = {
          dialogueId: dialogue.id,
          turn: index,
          text: turn.text,
          act: mainPersuaderAct(turn),
          labels: labelsOf(turn),
          segments: turn.segments ?? [],
          stage: stage++,
          previousPersuadeeText: previousPersuadee,
          previousPersuaderText: previousPersuader,
        };
        persuader.push(lastPersuader);
        previousPersuader = turn.text;
        return;
      }
      if (lastPersuader && lastPersuader.turn === index - 1) {
        replies.push({
          dialogueId: dialogue.id,
          turn: index,
          text: turn.text,
          reaction: gdpZeroReactionOfTurn(turn),
          labels: labelsOf(turn),
          persuaderText: lastPersuader.text,
          persuaderAct: lastPersuader.act,
          previousPersuadeeText: previousPersuadee,
          stage,
        });
      }
      previousPersuadee = turn.text;
    });
  }
  return { persuader, replies };
}

/** Each dialogue's sequence of main persuader acts, the data of the act n-gram prior. */
export function persuaderActSequences(dialogues: readonly Dialogue[]): GdpZeroPersuaderAct[][] {
  return dialogues.map((dialogue) => dialogue.turns.filter((turn) => turn.speaker === "system").map(mainPersuaderAct));
}

/** Counts of each reaction after each main persuader act: act → reaction → count. */
export function reactionCounts(replies: readonly P4gReply[]): Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, number>> {
  const table = new Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, number>>(
    GDP_ZERO_PERSUADER_ACTS.map((act) => [act, new Map()]),
  );
  for (const reply of replies) {
    const row = table.get(reply.persuaderAct)!;
    row.set(reply.reaction, (row.get(reply.reaction) ?? 0) + 1);
  }
  return table;
}

/** Which donation a value model predicts: the actual one after the chat (B6), or the intended one stated in it (B5). */
export type DonationTarget = "actual" | "intended";

/** Whether the persuadee donated (1) or not (0) under a target; undefined when the corpus does not say. */
export function donationLabel(dialogue: Dialogue, target: DonationTarget): 0 | 1 | undefined {
  const outcome = p4gOutcome(dialogue);
  if (target === "actual") return outcome.donated ? 1 : 0;
  if (outcome.persuadeeIntendedDonation === null) return undefined;
  return outcome.persuadeeIntendedDonation > 0 ? 1 : 0;
}
