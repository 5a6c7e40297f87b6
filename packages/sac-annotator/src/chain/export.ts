import type { ChatMessage } from "@foresight/dialogue";
import type { AnnotatedDialogue } from "../schema.js";
import { toSacMessages, type SacTransformOptions } from "./transform.js";

/** One ShareGPT conversation; trainers that read ShareGPT compute loss on `gpt` turns only. */
export interface ShareGptConversation {
  id: string;
  conversations: { from: "system" | "human" | "gpt"; value: string }[];
}

/**
 * One line of OpenAI's chat fine-tuning JSONL. Assistant messages carry `weight: 1` (trained on); user and system
 * messages are never trained on, so loss falls only on assistant turns.
 */
export interface OpenAiFineTuneExample {
  messages: (ChatMessage & { weight?: 0 | 1 })[];
}

/** Options shared by the exports. */
export type ExportOptions = SacTransformOptions;

/** The result of an export: the examples, and the ids of dialogues left out because they have no assistant turn. */
export interface ExportResult<T> {
  examples: T[];
  skipped: string[];
}

function trimToLastAssistant(messages: ChatMessage[]): ChatMessage[] | undefined {
  let last = -1;
  messages.forEach((message, index) => {
    if (message.role === "assistant") last = index;
  });
  return last < 0 ? undefined : messages.slice(0, last + 1);
}

/** Each annotated dialogue in SAC form as chat messages, trailing user turns (nothing to learn from) removed. */
export function sacConversations(records: readonly AnnotatedDialogue[], options: ExportOptions = {}): ExportResult<{ id: string; messages: ChatMessage[] }> {
  const examples: { id: string; messages: ChatMessage[] }[] = [];
  const skipped: string[] = [];
  for (const record of records) {
    const messages = trimToLastAssistant(toSacMessages(record.turns, options));
    if (messages) examples.push({ id: record.id, messages });
    else skipped.push(record.id);
  }
  return { examples, skipped };
}

const SHAREGPT_ROLE = { system: "system", user: "human", assistant: "gpt" } as const;

/** Exports annotated dialogues in SAC form as ShareGPT conversations (write the array as one JSON file). */
export function toShareGpt(records: readonly AnnotatedDialogue[], options: ExportOptions = {}): ExportResult<ShareGptConversation> {
  const { examples, skipped } = sacConversations(records, options);
  return {
    skipped,
    examples: examples.map(({ id, messages }) => ({
      id,
      conversations: messages.map((message) => ({ from: SHAREGPT_ROLE[message.role], value: message.content })),
    })),
  };
}

/** Exports annotated dialogues in SAC form as OpenAI chat fine-tuning examples (write one per JSONL line). */
export function toOpenAiFineTune(records: readonly AnnotatedDialogue[], options: ExportOptions = {}): ExportResult<OpenAiFineTuneExample> {
  const { examples, skipped } = sacConversations(records, options);
  return {
    skipped,
    examples: examples.map(({ messages }) => ({
      messages: messages.map((message) => (message.role === "assistant" ? { ...message, weight: 1 as const } : { ...message })),
    })),
  };
}
