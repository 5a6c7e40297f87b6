import type { ChatRequest } from "@foresight/llm-sim";

/** The number of turns the annotation prompt announces ("Dialogue (domain, N turns):"). */
export function announcedTurnCount(request: ChatRequest): number {
  const transcript = request.messages.find((message) => message.role === "user")?.content ?? "";
  const match = /^Dialogue \([^)]*, (\d+) turns\):/.exec(transcript);
  if (!match) throw new Error(`not an annotation request: ${transcript.slice(0, 80)}`);
  return Number(match[1]);
}

/** A valid annotator answer for `count` turns: deterministic labels, a null or two, and no topics on every third turn. */
export function validAnswer(count: number): string {
  const emotions = ["curious", "happy", null, "anxious"];
  const turns = Array.from({ length: count }, (_, turn) => ({
    turn,
    motivation: turn % 5 === 4 ? null : `motivation ${turn % 3}`,
    emotion: emotions[turn % emotions.length],
    topics: turn % 3 === 2 ? [] : [`topic ${turn % 2}`],
  }));
  return JSON.stringify({ turns });
}
