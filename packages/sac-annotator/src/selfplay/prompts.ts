import type { ChatMessage } from "@foresight/dialogue";
import type { Candidate, SeedSituation } from "./schema.js";

/** SAGE-style companion criteria the selector judges candidates by. */
export const COMPANION_CRITERIA: readonly string[] = [
  "empathy: notices and responds to what the user feels",
  "engagement: keeps the conversation going and makes the user want to continue",
  "coherence: follows from what was said and stays consistent with earlier turns",
  "helpfulness: offers something useful where the user wants it, without lecturing",
  "in character: stays a warm, natural companion and does not break the role",
  "naturalness: sounds like real conversation, concise rather than long-winded",
];

/** The default system prompt of the agent being improved. */
export const DEFAULT_AGENT_SYSTEM_PROMPT =
  "You are a warm, attentive companion chatting with a person. Reply naturally and briefly, as in a real conversation.";

/** The user simulator's system prompt for a seed situation. */
export function userSimulatorPrompt(situation: SeedSituation): string {
  return [
    "You are role-playing a person chatting with a companion chatbot. Stay in this role for the whole conversation.",
    `Your situation: ${situation.situation}`,
    ...(situation.persona ? [`Who you are: ${situation.persona}`] : []),
    "Write only your next message: one to three sentences, first person, no narration, no quotation marks, no name prefix.",
  ].join("\n");
}

/** The selector's system prompt: criteria, the immediate and future value of a reply, and the answer format. */
export function selectorSystemPrompt(criteria: readonly string[], candidateCount: number): string {
  return [
    "You choose the best next reply of a companion chatbot among candidates. Judge them by these criteria:",
    ...criteria.map((criterion) => `- ${criterion}`),
    "Consider both how good the reply is now and how likely it is to lead to an engaging conversation afterwards.",
    "Always pick exactly one candidate, even when none is ideal.",
    `Answer with JSON only: {"best": <a number from 1 to ${candidateCount}>, "reason": "<one short sentence>"}`,
  ].join("\n");
}

/** The selector's user message: the conversation so far (tags stripped) and the numbered candidates. */
export function selectorUserMessage(history: readonly ChatMessage[], candidates: readonly Candidate[]): string {
  const transcript = history
    .filter((message) => message.role !== "system")
    .map((message) => `${message.role === "user" ? "User" : "Companion"}: ${message.content}`)
    .join("\n");
  const options = candidates.map((candidate, index) => `[${index + 1}] ${candidate.text}`).join("\n");
  return `Conversation so far:\n${transcript}\n\nCandidates for the companion's next reply:\n${options}`;
}

/** One line of a rendered transcript: who spoke ("User" or "Companion") and what they said. */
export interface TranscriptLine {
  speaker: "User" | "Companion";
  text: string;
}

/** Reads "User: …" / "Companion: …" lines back (a line without a prefix continues the previous one). */
export function parseTranscriptLines(text: string): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const line of text.split("\n")) {
    const match = /^(User|Companion): ?(.*)$/.exec(line);
    if (match) lines.push({ speaker: match[1] as TranscriptLine["speaker"], text: match[2] ?? "" });
    else if (lines.length > 0 && line.trim() !== "") lines[lines.length - 1]!.text += `\n${line}`;
  }
  return lines;
}

/** Reads a {@link selectorUserMessage} back: the conversation lines and the candidates' texts; undefined when it is not one. */
export function parseSelectorUserMessage(content: string): { history: TranscriptLine[]; candidates: string[] } | undefined {
  const match = /^Conversation so far:\n([\s\S]*?)\n\nCandidates for the companion's next reply:\n([\s\S]*)$/.exec(content);
  if (!match) return undefined;
  const candidates: string[] = [];
  for (const line of (match[2] ?? "").split("\n")) {
    const numbered = /^\[(\d+)\] ?(.*)$/.exec(line);
    if (numbered && Number(numbered[1]) === candidates.length + 1) candidates.push(numbered[2] ?? "");
    else if (candidates.length > 0) candidates[candidates.length - 1] += `\n${line}`;
  }
  return { history: parseTranscriptLines(match[1] ?? ""), candidates };
}
