import type { Dialogue } from "@foresight/dialogue";
import type { ChatModel, ChatRequest, ChatResponse } from "@foresight/llm-sim";
import { corpusSacState, offlineResponse, utteranceKey } from "./corpus.js";

/** Reads the numbered transcript lines `[i] Name: text` (or `Name (assistant): text`) of an annotation prompt. */
function transcriptTurns(content: string): string[] {
  const texts: string[] = [];
  for (const line of content.split("\n")) {
    const match = /^\[(\d+)\] [^:]*?: (.*)$/.exec(line);
    if (match && Number(match[1]) === texts.length) texts.push(match[2] ?? "");
  }
  return texts;
}

/**
 * An offline stand-in for SAGE's LLM annotator: it answers `annotateDialogue`'s prompt for DailyDialog dialogues it
 * was given with their own human labels (see {@link corpusSacState}) in the JSON the prompt asks for, so the real
 * parse / validate / repair path runs. A dialogue it does not know gets an answer saying so, which fails validation.
 */
export class CorpusLabelAnnotator implements ChatModel {
  readonly id = "dailydialog-labels";
  private readonly byOpening = new Map<string, Dialogue[]>();

  /** An annotator for these dialogues. */
  constructor(dialogues: readonly Dialogue[]) {
    for (const dialogue of dialogues) {
      const key = `${dialogue.turns.length}\u0000${utteranceKey(dialogue.turns[0]?.text ?? "")}`;
      this.byOpening.set(key, [...(this.byOpening.get(key) ?? []), dialogue]);
    }
  }

  /** Finds the dialogue whose turns the prompt shows (texts compared as the prompt renders them). */
  find(request: ChatRequest): Dialogue | undefined {
    const prompt = request.messages.find((message) => message.role === "user" && message.content.startsWith("Dialogue ("));
    if (!prompt) return undefined;
    const texts = transcriptTurns(prompt.content);
    const rendered = (text: string) => utteranceKey(text.replace(/\s*\n\s*/g, " / "));
    return this.byOpening
      .get(`${texts.length}\u0000${utteranceKey(texts[0] ?? "")}`)
      ?.find((dialogue) => dialogue.turns.every((turn, i) => rendered(turn.text) === utteranceKey(texts[i] ?? "")));
  }

  /** Answers with the dialogue's labels as `{"turns": [...]}`. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const dialogue = this.find(request);
    const text = dialogue
      ? JSON.stringify({ turns: dialogue.turns.map((_, turn) => ({ turn, ...corpusSacState(dialogue, turn) })) })
      : "I have no labels for this dialogue: it is not in the corpus I was built from.";
    return offlineResponse(this.id, Array.from({ length: request.n ?? 1 }, () => text));
  }
}
