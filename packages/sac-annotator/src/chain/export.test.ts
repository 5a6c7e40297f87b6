import { describe, expect, it } from "vitest";
import type { AnnotatedDialogue, AnnotatedTurn } from "../schema.js";
import { toOpenAiFineTune, toShareGpt } from "./export.js";
import { parseSacMessage } from "./serialize.js";
import { formatSacStatistics, sacStatistics } from "./stats.js";

function turn(speaker: "user" | "system", text: string, motivation: string | null, emotion: string | null, topics: string[]): AnnotatedTurn {
  return { speaker, text, annotation: { motivation, emotion, topics, bridgingQuestion: null } };
}

const records: AnnotatedDialogue[] = [
  {
    id: "one",
    corpus: "test",
    domain: "open-chat",
    model: "m",
    attempts: 1,
    turns: [
      turn("user", "I failed my exam.", "vent", "sad", ["exam"]),
      turn("system", "I'm sorry to hear that.", "comfort", "caring", []),
      turn("user", "Thanks.", "thank", "sad", []),
      turn("system", "What happened?", "ask", null, ["exam"]),
      turn("user", "Long story.", null, "tired", []),
    ],
  },
  { id: "only-user", corpus: "test", domain: "open-chat", model: "m", attempts: 1, turns: [turn("user", "hello?", "greet", "curious", [])] },
];

describe("fine-tuning exports", () => {
  it("writes ShareGPT conversations in SAC form, trailing user turns removed", () => {
    const { examples, skipped } = toShareGpt(records, { systemPrompt: "You are kind." });
    expect(skipped).toEqual(["only-user"]);
    expect(examples).toHaveLength(1);
    const conversation = examples[0]?.conversations ?? [];
    expect(conversation.map((message) => message.from)).toEqual(["system", "human", "gpt", "human", "gpt"]);
    expect(conversation[2]?.value).toBe("⟦u_motivation=vent⟧ ⟦u_emotion=sad⟧ ⟦u_topic=exam⟧ ⟦a_motivation=comfort⟧ ⟦a_emotion=caring⟧ ⟦a_topic⟧\nI'm sorry to hear that.");
    expect(parseSacMessage(conversation[4]?.value ?? "")).toEqual({
      userState: { motivation: "thank", emotion: "sad", topics: [] },
      action: { motivation: "ask", emotion: null, topics: ["exam"] },
      text: "What happened?",
    });
  });

  it("writes OpenAI chat fine-tuning examples with loss only on assistant messages", () => {
    const { examples } = toOpenAiFineTune(records);
    expect(examples).toHaveLength(1);
    const messages = examples[0]?.messages ?? [];
    expect(messages.map((message) => [message.role, message.weight])).toEqual([
      ["user", undefined],
      ["assistant", 1],
      ["user", undefined],
      ["assistant", 1],
    ]);
    expect(JSON.parse(JSON.stringify(examples[0]))).toEqual(examples[0]);
  });
});

describe("state and action statistics", () => {
  it("counts user states and assistant actions separately, with none counted as missing", () => {
    const stats = sacStatistics(records);
    expect(stats).toMatchObject({ dialogues: 2, userTurns: 4, assistantTurns: 2 });
    expect(stats.distributions.u_emotion).toEqual({
      total: 4,
      missing: 0,
      distinct: 3,
      labels: [
        { label: "sad", count: 2, share: 0.5 },
        { label: "curious", count: 1, share: 0.25 },
        { label: "tired", count: 1, share: 0.25 },
      ],
    });
    expect(stats.distributions.u_motivation.missing).toBe(1);
    expect(stats.distributions.a_emotion).toMatchObject({ total: 2, missing: 1, distinct: 1 });
    expect(stats.distributions.a_topic).toMatchObject({ total: 2, missing: 1 });
    expect(sacStatistics(records, { top: 1 }).distributions.u_emotion.labels).toHaveLength(1);
    expect(formatSacStatistics(stats)).toContain(" 50.0%       2  sad");
  });
});
