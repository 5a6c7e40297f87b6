import { createRng, type Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { openChatPack, persuasionPack, sopPack, todPack } from "../packs/index.js";
import { ScriptedChatModel } from "../testing/index.js";
import { UsageLedger } from "../wrappers/accounting.js";
import { LlmStateClassifier } from "./classifier.js";
import { LlmConsistentJudge, LlmMajorityJudge } from "./judge.js";
import { LlmRationalityValue, LlmReactionValue, LlmSuccessValue } from "./value.js";

const history: Turn[] = [
  { speaker: "system", text: "Would you help children in need?" },
  { speaker: "user", text: "Maybe, tell me more." },
];

describe("LlmReactionValue (GDP-Zero)", () => {
  it("appends the donation question, samples l=10 at T=1.1 and maps reactions to values", async () => {
    const outputs = [
      "[donate] Sure, I'll give $1.",
      "[positive reaction] Sounds good.",
      "[positive reaction] Yes maybe.",
      "[neutral] Hmm.",
      "[negative reaction] Not convinced.",
      "[no donation] No thanks.",
      "[donate] Ok!",
      "[neutral] Let me think.",
      "no label at all",
      "[Positive Reaction] I like it.",
    ];
    const model = new ScriptedChatModel({ script: [outputs] });
    const ledger = new UsageLedger();
    const value = new LlmReactionValue({ model, rng: createRng(1), pack: persuasionPack, ledger });
    const result = await value.evaluate(history);
    expect(model.requests[0]).toMatchObject({ n: 10, temperature: 1.1, role: "value" });
    expect(model.requests[0]?.messages.at(-1)?.content).toContain("Persuader: Would you be interested in donating to Save the Children?");
    expect(result.samples).toEqual([1, 0.5, 0.5, 0, -0.5, -1, 1, 0, 0.5]);
    expect(result.value).toBeCloseTo(2 / 9);
    expect(result).toMatchObject({ unparsed: 1, fallback: false });
    expect(ledger.snapshot().byRole.value).toMatchObject({ parseAttempts: 10, parseFailures: 1 });
  });

  it("counts a reaction label written without an utterance", async () => {
    const model = new ScriptedChatModel({ script: [["[donate]", "Persuadee: [no donation]", "[neutral] Hmm."]] });
    const result = await new LlmReactionValue({ model, rng: createRng(1), pack: persuasionPack, samples: 3 }).evaluate(history);
    expect(result).toEqual({ value: 0, samples: [1, -1, 0], unparsed: 0, fallback: false });
  });

  it("returns the fallback value 0 when nothing parses, and needs reactions", async () => {
    const model = new ScriptedChatModel({ script: [["hmm"]] });
    const result = await new LlmReactionValue({ model, rng: createRng(1), pack: persuasionPack, samples: 3 }).evaluate(history);
    expect(result).toEqual({ value: 0, samples: [], unparsed: 3, fallback: true });
    expect(() => new LlmReactionValue({ model, rng: createRng(1), pack: todPack })).toThrow(/userReactions/);
  });
});

describe("LlmSuccessValue (SMCTS-TOD)", () => {
  it("judges V(h, a) in [0, 1] from JSON or chatty numbers", async () => {
    const model = new ScriptedChatModel({ script: [['```json\n{"probability": 0.8}\n```', "I'd say 60%", "very likely"]] });
    const value = new LlmSuccessValue({ model, rng: createRng(1), pack: todPack, samples: 3, variables: { goal: "- hotel: book for 2 people" } });
    const result = await value.evaluate(history, { act: "Request" });
    expect(result.value).toBeCloseTo(0.7);
    expect(result).toMatchObject({ unparsed: 1, fallback: false });
    const prompt = model.requests[0]?.messages.at(-1)?.content ?? "";
    expect(prompt).toContain("The Assistant asks the User for a constraint it needs");
    expect(prompt).toContain("- hotel: book for 2 people");
  });

  it("falls back to 0.5 and omits the act section for V(h)", async () => {
    const model = new ScriptedChatModel({ script: ["no idea"] });
    const result = await new LlmSuccessValue({ model, rng: createRng(1), pack: todPack }).evaluate(history);
    expect(result).toMatchObject({ value: 0.5, fallback: true });
    expect(model.requests[0]?.messages.at(-1)?.content).not.toContain("Suppose");
  });
});

describe("LlmRationalityValue (ChatSOP)", () => {
  it("averages 0/1 samples", async () => {
    const model = new ScriptedChatModel({ script: [["1", "0", "Yes", "1", "unclear"]] });
    const result = await new LlmRationalityValue({ model, rng: createRng(1), pack: sopPack }).evaluate(history, { act: "Build trust", guidance: "next: Build trust, Polite end" });
    expect(result.samples).toEqual([1, 0, 1, 1]);
    expect(result.value).toBe(0.75);
    expect(model.requests[0]?.messages.at(-1)?.content).toContain("SOP: next: Build trust, Polite end");
    await expect(new LlmRationalityValue({ model, rng: createRng(1), pack: sopPack }).evaluate(history)).rejects.toThrow(/needs options.act/);
  });
});

describe("pairwise judges", () => {
  it("majority of 5 with seeded random swaps maps verdicts back to the candidates", async () => {
    const model = new ScriptedChatModel({
      // The judge always prefers the candidate containing "children", whichever position it is shown in.
      respond: (request) => {
        const content = request.messages.at(-1)?.content ?? "";
        const a = /Response A[^:]*: (.*)/.exec(content)?.[1] ?? "";
        return Array.from({ length: request.n ?? 1 }, () => (a.includes("children") ? "[[A]]" : "Response B is better."));
      },
    });
    const judge = new LlmMajorityJudge({ model, rng: createRng(42), pack: persuasionPack });
    const verdict = await judge.compare(history, "Hello.", "Think of the children.");
    expect(verdict).toEqual({ winner: "b", consistent: true, votes: { a: 0, b: 5, tie: 0, invalid: 0 } });
    const orders = model.requests.map((request) => request.n);
    expect(orders.reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBe(5);
    const again = new ScriptedChatModel({ respond: (request) => Array.from({ length: request.n ?? 1 }, () => "[[A]]") });
    const first = await new LlmMajorityJudge({ model: again, rng: createRng(42), pack: persuasionPack }).compare(history, "x", "y");
    const second = await new LlmMajorityJudge({ model: again, rng: createRng(42), pack: persuasionPack }).compare(history, "x", "y");
    expect(first).toEqual(second);
    expect(first.votes.a + first.votes.b).toBe(5);
  });

  it("both-orders judging counts a verdict only when the orders agree", async () => {
    const positional = new ScriptedChatModel({ respond: () => "[[A]]" });
    const biased = await new LlmConsistentJudge({ model: positional, rng: createRng(1), pack: openChatPack }).compare(history, "x", "y");
    expect(biased).toEqual({ winner: "tie", consistent: false, votes: { a: 1, b: 1, tie: 0, invalid: 0 } });
    const fair = new ScriptedChatModel({ respond: (request) => ((request.messages.at(-1)?.content ?? "").includes("Response A: good") ? "A" : "B") });
    const agreed = await new LlmConsistentJudge({ model: fair, rng: createRng(1), pack: openChatPack }).compare(history, "bad", "good");
    expect(agreed).toEqual({ winner: "b", consistent: true, votes: { a: 0, b: 2, tie: 0, invalid: 0 } });
  });
});

describe("LlmStateClassifier (ChatSOP)", () => {
  it("matches English labels and Chinese aliases, falling back to the default state", async () => {
    const model = new ScriptedChatModel({ script: ["The user is worried-or-doubtful.", "担忧疑惑", "???"] });
    const ledger = new UsageLedger();
    const classifier = new LlmStateClassifier({ model, rng: createRng(1), pack: sopPack, ledger });
    expect(await classifier.classify(history)).toEqual({ label: "Worried or doubtful", fallback: false });
    expect(await classifier.classify(history)).toEqual({ label: "Worried or doubtful", fallback: false });
    expect(await classifier.classify(history)).toEqual({ label: "Habitual ok", fallback: true });
    expect(ledger.snapshot().byRole.classifier).toMatchObject({ parseAttempts: 3, parseFailures: 1 });
    expect(() => new LlmStateClassifier({ model, rng: createRng(1), pack: persuasionPack })).toThrow(/userStates/);
  });
});
