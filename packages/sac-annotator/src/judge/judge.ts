import type { ChatMessage } from "@foresight/dialogue";
import { parseVerdict, type ChatModel } from "@foresight/llm-sim";
import { stripStateTags } from "../chain/serialize.js";
import { COMPANION_CRITERIA } from "../selfplay/prompts.js";
import { signTest } from "./sign-test.js";

/** A verdict as the judge states it, in the order the transcripts were shown. */
export type OrderedVerdict = "first" | "second" | "tie";

/** The result of judging one pair in both orders. `inconsistent`: the orders disagree; `invalid`: an answer was unreadable. */
export type PairOutcome = "a" | "b" | "tie" | "inconsistent" | "invalid";

/** One judged pair. */
export interface PairJudgement {
  id: string;
  /** Verdict with A shown first, and with B shown first (undefined: unreadable). */
  aFirst: OrderedVerdict | undefined;
  bFirst: OrderedVerdict | undefined;
  outcome: PairOutcome;
}

/** Win/tie/loss of system A against B over consistent verdicts, with the two-sided sign-test p-value. */
export interface ComparisonSummary {
  pairs: PairJudgement[];
  wins: number;
  ties: number;
  losses: number;
  inconsistent: number;
  invalid: number;
  /** Exact two-sided sign test on wins vs losses (ties excluded). */
  pValue: number;
}

/** Options for the judge. */
export interface JudgeOptions {
  criteria?: readonly string[];
  /** Pairs judged at once by {@link compareSystems} (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Reads a judge's answer (`{"winner": "A" | "B" | "tie"}`, `[[A]]`, "Response B is better"… via llm-sim's `parseVerdict`). */
export function parseJudgeVerdict(text: string): OrderedVerdict | undefined {
  const verdict = parseVerdict(text);
  return verdict === undefined ? undefined : verdict === "A" ? "first" : verdict === "B" ? "second" : "tie";
}

/** Renders chat messages as a transcript for judging, with every state and action tag stripped. */
export function judgeTranscript(messages: readonly ChatMessage[]): string {
  return messages
    .filter((message) => message.role !== "system")
    .map((message) => `${message.role === "user" ? "User" : "Companion"}: ${message.role === "assistant" ? stripStateTags(message.content) : message.content}`)
    .join("\n");
}

const CONVERSATIONS = /^Conversation A:\n([\s\S]*?)\n\nConversation B:\n([\s\S]*)$/;

/** Reads the judge's user message back into the two transcripts as shown (first = "A"); undefined when it is not one. */
export function parseJudgeUserMessage(content: string): { first: string; second: string } | undefined {
  const match = CONVERSATIONS.exec(content);
  return match ? { first: match[1] ?? "", second: match[2] ?? "" } : undefined;
}

function judgeMessages(first: string, second: string, criteria: readonly string[]): ChatMessage[] {
  return [
    {
      role: "system",
      content: [
        "You compare two whole conversations between a user and a companion chatbot and decide in which one the companion did better.",
        "Criteria:",
        ...criteria.map((criterion) => `- ${criterion}`),
        'Answer with JSON only: {"winner": "A" | "B" | "tie", "reason": "<one short sentence>"}',
      ].join("\n"),
    },
    { role: "user", content: `Conversation A:\n${first}\n\nConversation B:\n${second}` },
  ];
}

/** Combines the verdicts of both orders: a result counts only when they agree (A first says first ⇔ B first says second). */
export function combineVerdicts(aFirst: OrderedVerdict | undefined, bFirst: OrderedVerdict | undefined): PairOutcome {
  if (aFirst === undefined || bFirst === undefined) return "invalid";
  if (aFirst === "first" && bFirst === "second") return "a";
  if (aFirst === "second" && bFirst === "first") return "b";
  if (aFirst === "tie" && bFirst === "tie") return "tie";
  return "inconsistent";
}

/** Judges transcripts A and B in both orders (two calls) and combines the verdicts with {@link combineVerdicts}. */
export async function judgePair(judge: ChatModel, id: string, a: string, b: string, options: JudgeOptions = {}): Promise<PairJudgement> {
  const criteria = options.criteria ?? COMPANION_CRITERIA;
  const ask = async (first: string, second: string): Promise<OrderedVerdict | undefined> => {
    const response = await judge.complete({ messages: judgeMessages(first, second, criteria), temperature: 0, role: "sac-judge", signal: options.signal });
    return parseJudgeVerdict(response.choices[0]?.text ?? "");
  };
  const [aFirst, bFirst] = await Promise.all([ask(a, b), ask(b, a)]);
  return { id, aFirst, bFirst, outcome: combineVerdicts(aFirst, bFirst) };
}

/** Tallies judged pairs into win/tie/loss for A with the sign-test p-value. */
export function summarizeJudgements(pairs: readonly PairJudgement[]): ComparisonSummary {
  const count = (outcome: PairOutcome) => pairs.filter((pair) => pair.outcome === outcome).length;
  const wins = count("a");
  const losses = count("b");
  return { pairs: [...pairs], wins, ties: count("tie"), losses, inconsistent: count("inconsistent"), invalid: count("invalid"), pValue: signTest(wins, losses) };
}

/** Judges system A against B over paired transcripts (same seed situation), with bounded concurrency. */
export async function compareSystems(judge: ChatModel, pairs: readonly { id: string; a: string; b: string }[], options: JudgeOptions = {}): Promise<ComparisonSummary> {
  const concurrency = options.concurrency ?? 4;
  const results: PairJudgement[] = new Array(pairs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const index = next++;
      const pair = pairs[index] as { id: string; a: string; b: string };
      results[index] = await judgePair(judge, pair.id, pair.a, pair.b, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pairs.length)) }, worker));
  return summarizeJudgements(results);
}
