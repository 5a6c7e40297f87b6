import { CORPUS_SPLIT_SEED, loadDailyDialog, loadPersuasionForGood, splitDialogues, type Dialogue, type SplitName } from "@foresight/dialogue";
export { countTokens } from "../encoder/tokens.js";

/**
 * The held-out split every default model uses: the project's one deduplicated split per corpus (`splitDialogues`,
 * copies and dialogues sharing an opening on one side), 80/10/10 with this seed.
 */
export const DEFAULT_SPLIT_SEED = CORPUS_SPLIT_SEED;

/** DailyDialog and PersuasionForGood (full) dialogues, split by dialogue id. */
export interface OpenChatCorpus {
  dailyDialog: Record<SplitName, Dialogue[]>;
  persuasion: Record<SplitName, Dialogue[]>;
}

/** Loads DailyDialog (train + validation as shipped) and PersuasionForGood's full part, each split by `splitDialogues`. */
export function loadOpenChatCorpus(options: { dataDir?: string; splitSeed?: number } = {}): OpenChatCorpus {
  const seed = options.splitSeed ?? DEFAULT_SPLIT_SEED;
  const dataDir = options.dataDir ? { dataDir: options.dataDir } : {};
  return {
    dailyDialog: splitDialogues(loadDailyDialog(dataDir), { seed }),
    persuasion: splitDialogues(loadPersuasionForGood({ ...dataDir, part: "full" }), { seed }),
  };
}

/** A context (turns, oldest first) and the utterance that followed it. */
export interface ContextResponse {
  dialogueId: string;
  context: string[];
  response: string;
}

/** Every (context, next utterance) pair of the dialogues, contexts cut to the last `maxTurns` turns. */
export function contextResponsePairs(dialogues: readonly Dialogue[], maxTurns: number): ContextResponse[] {
  const out: ContextResponse[] = [];
  for (const dialogue of dialogues) {
    const texts = dialogue.turns.map((t) => t.text);
    for (let i = 1; i < texts.length; i++) {
      out.push({ dialogueId: dialogue.id, context: texts.slice(Math.max(0, i - maxTurns), i), response: texts[i] as string });
    }
  }
  return out;
}

/**
 * One SCOPE step in a real dialogue: the state before the agent speaks (`turns` [0, at)), the agent's reply
 * (turn `at`) and the human's answer (turn `at + 1`).
 */
export interface ScopeStep {
  dialogue: Dialogue;
  at: number;
}

/**
 * The SCOPE steps of the dialogues. `agent` picks which turns the planner speaks: "any" (open chat, both sides) or
 * "system" (PersuasionForGood: the persuader). A step needs at least one turn of context and a human answer.
 */
export function scopeSteps(dialogues: readonly Dialogue[], agent: "any" | "system"): ScopeStep[] {
  const out: ScopeStep[] = [];
  for (const dialogue of dialogues) {
    for (let at = 1; at + 1 < dialogue.turns.length; at++) {
      const turn = dialogue.turns[at];
      if (agent === "system" && turn?.speaker !== "system") continue;
      out.push({ dialogue, at });
    }
  }
  return out;
}
