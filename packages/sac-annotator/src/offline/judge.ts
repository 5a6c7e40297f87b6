import { tokenize, type ChatModel, type ChatRequest, type ChatResponse } from "@foresight/llm-sim";
import { parseJudgeUserMessage } from "../judge/judge.js";
import { parseTranscriptLines } from "../selfplay/prompts.js";
import { offlineResponse } from "./corpus.js";

/**
 * Engagement of a whole conversation: the mean number of words per user message after the opening — how much the
 * (simulated) person chose to say back, SCOPE's engagement reward. 0 when the user never answered.
 */
export function engagementScore(transcript: string): number {
  const replies = parseTranscriptLines(transcript)
    .filter((line) => line.speaker === "User")
    .slice(1);
  if (replies.length === 0) return 0;
  return replies.reduce((sum, line) => sum + tokenize(line.text).length, 0) / replies.length;
}

/**
 * The offline pairwise judge: reads the two conversations of the judge prompt and prefers the one whose user said
 * more per message ({@link engagementScore}); within `tieMargin` (relative, default 5 %) it calls a tie. It is a
 * different measure from the selector's rubric (what the simulated person actually did, not proxies of the reply),
 * and deterministic and order-symmetric, so its two orders always agree: the both-orders protocol only filters
 * something with an LLM judge.
 */
export class EngagementJudge implements ChatModel {
  readonly id = "engagement-judge";

  /** A judge with a relative tie margin. */
  constructor(private readonly tieMargin = 0.05) {}

  /** `{"winner": "A" | "B" | "tie", "reason": …}`. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const parsed = parseJudgeUserMessage(request.messages.find((message) => message.role === "user")?.content ?? "");
    let text = "I cannot find the two conversations in this prompt.";
    if (parsed) {
      const a = engagementScore(parsed.first);
      const b = engagementScore(parsed.second);
      const winner = Math.abs(a - b) <= this.tieMargin * Math.max(a, b) ? "tie" : a > b ? "A" : "B";
      text = JSON.stringify({ winner, reason: `user words per message: A ${a.toFixed(2)}, B ${b.toFixed(2)}` });
    }
    return offlineResponse(this.id, Array.from({ length: request.n ?? 1 }, () => text));
  }
}
