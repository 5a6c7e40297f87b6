/*
 * A quirk of annotated_dialog.csv: at 15 speaker changes, one sentence appears twice in a row, once for each side,
 * with identical sentiment scores — e.g. the persuadee's "Please explain to me in detail" is repeated as the first
 * sentence of the persuader's next turn (labelled `other`). Comparing with the untouched messages in
 * full_dialog.csv shows which copy is real, and it is not always the same one: in 6 cases the first copy is the
 * real one, in 6 the second, and in 3 (greetings "HI" and "Good morning!", and "Have a great day!") both sides
 * really said it. So each such pair is resolved against the full corpus: a copy is dropped only when the full
 * corpus shows the other side's message contains the sentence and this side's does not. Without full_dialog.csv
 * (or without the dialogue in it) both copies are kept.
 */

/** The minimum a sentence needs for boundary-copy detection. */
export interface BoundarySentence {
  dialogueId: string;
  role: "0" | "1";
  exchange: number;
  text: string;
  sentiment: { neg: number; neu: number; pos: number } | null;
}

/** Looks up the whole message of one side in one exchange (`Turn`) of a dialogue in full_dialog.csv. */
export type FullMessageLookup = (dialogueId: string, exchange: number, role: "0" | "1") => string | undefined;

/** Collapses whitespace so that "heard of it.  Children" in the full corpus matches the annotated sentence. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function sameSentiment(a: BoundarySentence["sentiment"], b: BoundarySentence["sentiment"]): boolean {
  if (a === null || b === null) return a === b;
  return a.neg === b.neg && a.neu === b.neu && a.pos === b.pos;
}

/** True when any adjacent pair in `sentences` is a candidate boundary copy (so the full corpus is worth reading). */
export function hasBoundaryCopyCandidates(sentences: readonly BoundarySentence[]): boolean {
  for (let i = 1; i < sentences.length; i++) {
    if (isCandidate(sentences[i - 1]!, sentences[i]!)) return true;
  }
  return false;
}

function isCandidate(previous: BoundarySentence, current: BoundarySentence): boolean {
  return (
    previous.dialogueId === current.dialogueId &&
    previous.role !== current.role &&
    normalizeSpace(previous.text) === normalizeSpace(current.text) &&
    sameSentiment(previous.sentiment, current.sentiment)
  );
}

/**
 * Removes boundary copies from one dialogue's sentences (in file order), using `lookup` to decide which copy is
 * real; returns the kept sentences and how many were dropped.
 */
export function removeBoundaryCopies<S extends BoundarySentence>(
  sentences: readonly S[],
  lookup: FullMessageLookup | undefined,
): { kept: S[]; removed: number } {
  const drop = new Set<number>();
  if (lookup) {
    for (let i = 1; i < sentences.length; i++) {
      const previous = sentences[i - 1]!;
      const current = sentences[i]!;
      if (drop.has(i - 1) || !isCandidate(previous, current)) continue;
      const text = normalizeSpace(current.text);
      const said = (s: S): boolean | undefined => {
        const message = lookup(s.dialogueId, s.exchange, s.role);
        return message === undefined ? undefined : normalizeSpace(message).includes(text);
      };
      const previousReal = said(previous);
      const currentReal = said(current);
      if (previousReal === true && currentReal === false) drop.add(i);
      else if (previousReal === false && currentReal === true) drop.add(i - 1);
    }
  }
  return { kept: sentences.filter((_, index) => !drop.has(index)), removed: drop.size };
}
