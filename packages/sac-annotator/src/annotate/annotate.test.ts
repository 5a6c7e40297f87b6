import { describe, expect, it } from "vitest";
import type { Dialogue } from "@foresight/dialogue";
import { UsageLedger, withAccounting } from "@foresight/llm-sim";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { validAnswer } from "../test-fixtures/annotator.js";
import { ANNOTATOR_ROLE, annotateDialogue } from "./annotate.js";
import { parseAnnotationOutput } from "./parse.js";
import { annotationMessages } from "./prompt.js";

const dialogue: Dialogue = {
  id: "d1",
  domain: "open-chat",
  turns: [
    { speaker: "user", text: "I have a job interview tomorrow." },
    { speaker: "system", text: "That's exciting." },
    { speaker: "user", text: "I'm nervous though." },
    { speaker: "system", text: "Want to practise a few questions?" },
  ],
};

describe("annotation parsing and local repair", () => {
  it("accepts a valid answer inside chatty prose", () => {
    const result = parseAnnotationOutput(`Sure! Here it is:\n\`\`\`json\n${validAnswer(4)}\n\`\`\``, dialogue.turns);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.annotations).toHaveLength(4);
    expect(result.annotations[0]).toEqual({ motivation: "motivation 0", emotion: "curious", topics: ["topic 0"], bridgingQuestion: null });
    expect(result.annotations[2]?.topics).toEqual([]);
  });

  it("repairs null spellings, topic strings, case, white space and shuffled order", () => {
    const answer = [
      { turn: 1, motivation: "  Show   Interest ", emotion: "N/A", topics: "interview; Career", bridging_question: null },
      { turn: 0, motivation: "share worry", emotion: "None", topic: ["Interview", null, "interview"] },
      { turn: 3, motivation: "offer help", emotion: "supportive", topics: null },
      { turn: 2, motivation: null, emotion: "nervous", topics: [] },
    ];
    const result = parseAnnotationOutput(JSON.stringify(answer), dialogue.turns);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.repairs).toContain("entries reordered by turn number");
    expect(result.annotations[0]).toEqual({ motivation: "share worry", emotion: null, topics: ["interview"], bridgingQuestion: null });
    expect(result.annotations[1]).toEqual({ motivation: "show interest", emotion: null, topics: ["interview", "career"], bridgingQuestion: null });
    expect(result.annotations[3]?.topics).toEqual([]);
  });

  it("rejects what cannot be repaired, naming the turn and field", () => {
    const cases: [string, RegExp][] = [
      ["I cannot do that.", /no JSON/],
      [validAnswer(3), /expected 4 entries/],
      [JSON.stringify({ turns: [{ turn: 0, emotion: "x", topics: [] }, ...JSON.parse(validAnswer(3)).turns] }), /motivation/],
      [JSON.stringify({ turns: JSON.parse(validAnswer(4)).turns.map((t: object, i: number) => ({ ...t, turn: i === 3 ? 7 : i })) }), /numbered 0\.\.3/],
      [JSON.stringify({ turns: JSON.parse(validAnswer(4)).turns.map((t: object, i: number) => (i === 2 ? { ...t, emotion: "x".repeat(200) } : t)) }), /turn 2: field emotion/],
      [JSON.stringify({ turns: JSON.parse(validAnswer(4)).turns.map((t: object, i: number) => (i === 1 ? { ...t, motivation: "⟦a_topic⟧" } : t)) }), /turn 1: .*⟦/],
    ];
    for (const [text, reason] of cases) {
      const result = parseAnnotationOutput(text, dialogue.turns);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });

  it("keeps bridging questions only on assistant turns without a question, and only when asked", () => {
    const turns = JSON.parse(validAnswer(4)).turns.map((turn: object, index: number) => ({ ...turn, bridging_question: `question ${index}?` }));
    const asked = parseAnnotationOutput(JSON.stringify({ turns }), dialogue.turns, { bridgingQuestions: true });
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    expect(asked.annotations.map((annotation) => annotation.bridgingQuestion)).toEqual([null, "question 1?", null, null]);
    expect(asked.repairs.filter((repair) => repair.includes("bridging"))).toHaveLength(3);
    const notAsked = parseAnnotationOutput(JSON.stringify({ turns }), dialogue.turns);
    expect(notAsked.ok && notAsked.annotations.every((annotation) => annotation.bridgingQuestion === null)).toBe(true);
    turns[1].bridging_question = "tell me more";
    const notQuestion = parseAnnotationOutput(JSON.stringify({ turns }), dialogue.turns, { bridgingQuestions: true });
    expect(notQuestion.ok).toBe(false);
    if (!notQuestion.ok) expect(notQuestion.reason).toMatch(/turn 1: bridging_question/);
  });
});

describe("annotateDialogue", () => {
  it("shows the model the whole dialogue in one request (future-aware)", async () => {
    const model = new ScriptedChatModel({ script: [validAnswer(4)] });
    const outcome = await annotateDialogue(model, dialogue, { corpus: "test" });
    expect(outcome.ok).toBe(true);
    expect(model.requests).toHaveLength(1);
    const transcript = model.requests[0]?.messages[1]?.content ?? "";
    for (const turn of dialogue.turns) expect(transcript).toContain(turn.text);
    expect(transcript).toContain("[3] Assistant (assistant): Want to practise");
    expect(model.requests[0]?.role).toBe(ANNOTATOR_ROLE);
    if (outcome.ok) {
      expect(outcome.record).toMatchObject({ id: "d1", corpus: "test", domain: "open-chat", model: "scripted", attempts: 1 });
      expect(outcome.record.turns.map((turn) => turn.text)).toEqual(dialogue.turns.map((turn) => turn.text));
    }
  });

  it("sends a malformed answer back with the reason and accepts the repaired one", async () => {
    const ledger = new UsageLedger();
    const scripted = new ScriptedChatModel({ script: ['{"turns": [', validAnswer(3), validAnswer(4)] });
    const outcome = await annotateDialogue(withAccounting(scripted, ledger), dialogue, { corpus: "test", ledger });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.record.attempts).toBe(3);
    const third = scripted.requests[2]?.messages ?? [];
    expect(third).toHaveLength(6);
    expect(third[2]).toEqual({ role: "assistant", content: '{"turns": [' });
    expect(third[3]?.content).toMatch(/no JSON object found/);
    expect(third[5]?.content).toMatch(/expected 4 entries in "turns", got 3/);
    const totals = ledger.snapshot().byRole[ANNOTATOR_ROLE];
    expect(totals).toMatchObject({ calls: 3, parseAttempts: 3, parseFailures: 2 });
    expect(totals?.promptTokens).toBeGreaterThan(0);
  });

  it("reports a dialogue that stays malformed, with the reason and the last answer", async () => {
    const model = new ScriptedChatModel({ respond: () => "no idea" });
    const outcome = await annotateDialogue(model, dialogue, { corpus: "test", maxAttempts: 2 });
    expect(outcome).toEqual({
      ok: false,
      failure: { id: "d1", corpus: "test", reason: "invalid annotation after 2 attempts: no JSON object found in the answer", attempts: 2, lastOutput: "no idea" },
    });
  });

  it("reports a failed call as a failure rather than throwing", async () => {
    const model = new ScriptedChatModel({ script: [{ error: { status: 400, message: "context too long" } }] });
    const outcome = await annotateDialogue(model, dialogue, { corpus: "test" });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.failure.reason).toMatch(/model call failed: context too long/);
  });

  it("asks for bridging questions only when enabled", () => {
    expect(annotationMessages(dialogue, { bridgingQuestions: true })[0]?.content).toContain("bridging_question");
    expect(annotationMessages(dialogue)[0]?.content).not.toContain("bridging_question");
  });
});
