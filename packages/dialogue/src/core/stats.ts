import type { Dialogue } from "./schema.js";

/** Counts that describe a set of dialogues. */
export type DialogueStats = {
  dialogues: number;
  turns: number;
  /** Distinct act labels (`domain-intent` where a domain is given) over turns and segments. */
  actVocabularySize: number;
};

/** Counts dialogues, turns and distinct act labels. */
export function summarizeDialogues(dialogues: readonly Dialogue[]): DialogueStats {
  const acts = new Set<string>();
  let turns = 0;
  for (const dialogue of dialogues) {
    turns += dialogue.turns.length;
    for (const turn of dialogue.turns) {
      for (const act of turn.acts ?? []) acts.add(act.domain ? `${act.domain}-${act.intent}` : act.intent);
      for (const segment of turn.segments ?? []) {
        for (const act of segment.acts) acts.add(act.domain ? `${act.domain}-${act.intent}` : act.intent);
      }
    }
  }
  return { dialogues: dialogues.length, turns, actVocabularySize: acts.size };
}
