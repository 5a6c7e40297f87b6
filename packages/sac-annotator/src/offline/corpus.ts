import { dailyDialogMetadata, type Dialogue } from "@foresight/dialogue";
import { OpenChatCorpusWorld, chatLabels, tokenize, type ChatResponse } from "@foresight/llm-sim";
import type { SacState } from "../schema.js";

/** Lower-cased, single-spaced text, the key under which the offline roles look an utterance up. */
export function utteranceKey(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

/**
 * DailyDialog's own labels as SAGE states and actions: motivation = the turn's communicative intent (inform,
 * question, directive, commissive), emotion = its emotion ("no emotion" → "neutral"), topic = the dialogue's topic.
 * The labels were given by annotators who read the whole dialogue, so they are future-aware as SAGE asks.
 */
export function corpusSacState(dialogue: Dialogue, turn: number): SacState {
  const { intent, emotion } = chatLabels(dialogue.turns[turn]!);
  let topics: string[] = [];
  try {
    topics = dailyDialogMetadata(dialogue).topics.map((topic) => topic.toLowerCase());
  } catch {
    topics = [];
  }
  return { motivation: intent, emotion: emotion === "no emotion" ? "neutral" : emotion, topics };
}

/**
 * The open-chat world the offline SAGE roles share: DailyDialog training dialogues indexed for retrieval (llm-sim's
 * {@link OpenChatCorpusWorld}, all of them, no further split), each utterance's SAC state and the state of the turn it
 * answered, and how long the reply that followed each utterance was (the corpus's record of what it led to).
 */
export class SacCorpusWorld {
  readonly chat: OpenChatCorpusWorld;
  /** Per utterance of `chat.utterances`: the answered turn's state (user state) and its own (action). */
  readonly states: { user: SacState; action: SacState }[];
  /** Utterance key → mean tokens of the utterance that followed it in the corpus. */
  readonly followUpTokens: Map<string, number>;
  /** The median of {@link followUpTokens}, for utterances the corpus never saw followed. */
  readonly medianFollowUp: number;

  /** Builds the world from training dialogues (DailyDialog, as `loadDailyDialog` returns them). */
  constructor(readonly dialogues: readonly Dialogue[]) {
    this.chat = OpenChatCorpusWorld.build({ dialogues: [...dialogues], splitRatios: { train: 1, dev: 0, test: 0 } });
    const byId = new Map(dialogues.map((d) => [d.id, d]));
    this.states = this.chat.utterances.map((u) => {
      const dialogue = byId.get(u.dialogueId)!;
      return { user: corpusSacState(dialogue, u.turn - 1), action: corpusSacState(dialogue, u.turn) };
    });
    const sums = new Map<string, { total: number; count: number }>();
    for (const dialogue of dialogues) {
      dialogue.turns.forEach((turn, index) => {
        const next = dialogue.turns[index + 1];
        if (!next) return;
        const key = utteranceKey(turn.text);
        const entry = sums.get(key) ?? { total: 0, count: 0 };
        entry.total += tokenize(next.text).length;
        entry.count += 1;
        sums.set(key, entry);
      });
    }
    this.followUpTokens = new Map([...sums].map(([key, { total, count }]) => [key, total / count]));
    const sorted = [...this.followUpTokens.values()].sort((a, b) => a - b);
    this.medianFollowUp = sorted[Math.floor(sorted.length / 2)] ?? 0;
  }
}

/** The chat response of an offline role: its texts as choices, no token usage. */
export function offlineResponse(id: string, texts: readonly string[]): ChatResponse {
  return { model: id, choices: texts.map((text) => ({ text, finishReason: "stop" as const })), usage: { promptTokens: 0, completionTokens: 0 } };
}
