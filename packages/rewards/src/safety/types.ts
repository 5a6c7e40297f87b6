import type { Turn } from "@foresight/dialogue";

/** A harmfulness judgement of one message. */
export interface HarmScore {
  /** The scorer's verdict. */
  unsafe: boolean;
  /** Probability (or the scorer's stand-in for it) that the message is unsafe, in [0, 1]. */
  probability: number;
  /** Violated categories (e.g. Llama Guard's `S10: Hate`, or `profanity`), empty when safe. */
  categories: string[];
}

/** A pluggable harmfulness scorer: judges the last message given the conversation before it. */
export interface HarmfulnessScorer {
  /** What the scorer is, e.g. `llama-guard(meta-llama/Llama-Guard-3-8B)` or `lexicon-stand-in(obscenity)`. */
  readonly name: string;
  score(text: string, context?: readonly Turn[]): Promise<HarmScore>;
}

/** SCOPE's safety reward for one message: the negative probability of harm, in [−1, 0]. */
export function harmlessnessReward(score: HarmScore): number {
  return score.probability === 0 ? 0 : -score.probability;
}

/** Scores every message of one speaker in a dialogue (each judged with the turns before it as context). */
export async function scoreTurns(
  scorer: HarmfulnessScorer,
  turns: readonly Turn[],
  speaker: Turn["speaker"] = "user",
): Promise<HarmScore[]> {
  const scores: HarmScore[] = [];
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i]!;
    if (turn.speaker === speaker) scores.push(await scorer.score(turn.text, turns.slice(0, i)));
  }
  return scores;
}
