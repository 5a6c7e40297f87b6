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
