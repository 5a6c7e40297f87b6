import { DEFAULT_ROLE_NAMES, type ChatMessage, type Dialogue, type Speaker } from "@foresight/dialogue";
import { MAX_LABEL_LENGTH } from "../schema.js";

/** Options that shape the annotation prompt. */
export interface AnnotationPromptOptions {
  /** Which speaker is the assistant (default "system"). */
  assistant?: Speaker;
  /** Ask for a bridging question on assistant turns that do not end with a question (default false). */
  bridgingQuestions?: boolean;
}

/** True when a turn's text already ends with a question mark (ASCII or full-width), ignoring trailing space and quotes. */
export function endsWithQuestion(text: string): boolean {
  return /[?？]["'”’)\]\s]*$/.test(text);
}

function roleNames(domain: string): { system: string; user: string } {
  return DEFAULT_ROLE_NAMES[domain] ?? { system: "Assistant", user: "User" };
}

/** The system message that explains SAGE's annotation schema to the annotating model. */
export function annotationSystemPrompt(turnCount: number, options: AnnotationPromptOptions = {}): string {
  const lines = [
    "You annotate whole dialogues with the speakers' states and actions, for training a conversational model that",
    "first predicts the partner's state, then its own action, then its words (SAGE's State-Action Chain).",
    "You see the whole dialogue at once: use what is said later to judge what each speaker wanted and felt at each turn.",
    "",
    "For every turn give:",
    '- "motivation": why the speaker says this, as a short phrase (e.g. "seek reassurance", "share good news",',
    '  "persuade to donate", "book a hotel", "change the subject"), or null when nothing fits;',
    '- "emotion": the speaker\'s emotion at that moment, a word or short phrase (e.g. "anxious", "happy", "neutral",',
    '  "frustrated", "curious"), or null when nothing fits;',
    '- "topics": one to three short topic phrases (e.g. "job interview", "children\'s charity"), or [] when none.',
  ];
  if (options.bridgingQuestions) {
    lines.push(
      '- "bridging_question": only for turns marked (assistant) whose text does not end with a question: a short, natural',
      "  question the speaker could add to keep the conversation going, ending with a question mark; null for every other turn.",
    );
  }
  lines.push(
    "",
    `Labels are lower case, one line, at most ${MAX_LABEL_LENGTH} characters, and never contain the characters ⟦ or ⟧.`,
    `Answer with one JSON object and nothing else: {"turns": [{"turn": 0, "motivation": ..., "emotion": ..., "topics": [...]${
      options.bridgingQuestions ? ', "bridging_question": ...' : ""
    }}, ...]}`,
    `with exactly ${turnCount} entries, one per turn, in order, numbered from 0.`,
  );
  return lines.join("\n");
}

/** The user message holding the numbered transcript; the assistant side's turns are marked "(assistant)". */
export function annotationTranscript(dialogue: Pick<Dialogue, "domain" | "turns">, options: AnnotationPromptOptions = {}): string {
  const assistant = options.assistant ?? "system";
  const names = roleNames(dialogue.domain);
  const lines = dialogue.turns.map((turn, index) => {
    const marker = turn.speaker === assistant ? " (assistant)" : "";
    return `[${index}] ${names[turn.speaker]}${marker}: ${turn.text.replace(/\s*\n\s*/g, " / ")}`;
  });
  return [`Dialogue (${dialogue.domain}, ${dialogue.turns.length} turns):`, ...lines].join("\n");
}

/** The first request's messages for annotating a dialogue. */
export function annotationMessages(dialogue: Pick<Dialogue, "domain" | "turns">, options: AnnotationPromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: annotationSystemPrompt(dialogue.turns.length, options) },
    { role: "user", content: annotationTranscript(dialogue, options) },
  ];
}

/** The follow-up message asking the model to fix an answer that failed validation. */
export function repairMessage(reason: string, turnCount: number): string {
  return [
    `Your answer could not be used: ${reason}.`,
    `Reply again with the complete JSON object only, with exactly ${turnCount} entries in "turns", following the schema.`,
  ].join("\n");
}
