import type { ChatModel, ChatRequest, ChatResponse } from "@foresight/llm-sim";
import { describe, expect, it } from "vitest";
import {
  SafetyOutputError,
  createLexiconHarmfulnessScorer,
  createLlamaGuardScorer,
  harmlessnessReward,
  llamaGuardPrompt,
  parseLlamaGuardOutput,
  scoreTurns,
  unsafeProbabilityFromLogprobs,
} from "./safety/index.js";

function fakeModel(answer: Omit<ChatResponse["choices"][number], "finishReason">): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    id: "fake-guard",
    requests,
    async complete(request) {
      requests.push(request);
      return { model: "fake-guard", choices: [{ ...answer, finishReason: "stop" }], usage: { promptTokens: 1, completionTokens: 1 } };
    },
  };
}

describe("lexicon stand-in", () => {
  const scorer = createLexiconHarmfulnessScorer();

  it("scores 1 − 2^−k for k distinct matched terms, including obfuscated ones", () => {
    expect(scorer.scoreSync("Have a nice day, thanks for the help!")).toEqual({ unsafe: false, probability: 0, categories: [] });
    expect(scorer.scoreSync("you are a fucking idiot")).toEqual({ unsafe: true, probability: 0.5, categories: ["profanity"] });
    expect(scorer.matches("fuuuuck this shit")).toEqual(["fuck", "shit"]);
    expect(scorer.scoreSync("fuuuuck this shit").probability).toBe(0.75);
    expect(scorer.scoreSync("Scunthorpe is a town").unsafe).toBe(false);
    expect(scorer.name).toMatch(/stand-in/);
  });

  it("gives SCOPE's safety reward −P(unsafe) per human turn", async () => {
    const scores = await scoreTurns(scorer, [
      { speaker: "system", text: "How was it?" },
      { speaker: "user", text: "shit, honestly" },
      { speaker: "user", text: "fine" },
    ]);
    expect(scores.map(harmlessnessReward)).toEqual([-0.5, 0]);
  });
});

describe("Llama Guard scorer", () => {
  it("parses verdicts and categories, rejecting anything else by content", () => {
    expect(parseLlamaGuardOutput("safe")).toEqual({ unsafe: false, codes: [] });
    expect(parseLlamaGuardOutput("\nunsafe\nS1, s10\n")).toEqual({ unsafe: true, codes: ["S1", "S10"] });
    expect(() => parseLlamaGuardOutput("I think it is fine")).toThrow(SafetyOutputError);
    expect(() => parseLlamaGuardOutput("unsafe\nviolence")).toThrow(/"VIOLENCE" is not a category code/);
  });

  it("reads P(unsafe) from the first token's alternatives: 0.8 / (0.8 + 0.2)", () => {
    const lp = [{ token: "unsafe", logprob: Math.log(0.6), topLogprobs: [{ token: "unsafe", logprob: Math.log(0.6) }, { token: "safe", logprob: Math.log(0.15) }] }];
    expect(unsafeProbabilityFromLogprobs(lp)).toBeCloseTo(0.8, 12);
    expect(unsafeProbabilityFromLogprobs([{ token: "safe", logprob: Math.log(0.9) }])).toBeCloseTo(0.1, 12);
    expect(unsafeProbabilityFromLogprobs([{ token: "Sure", logprob: -0.1 }])).toBeUndefined();
  });

  it("asks the endpoint greedily with logprobs and maps categories to names", async () => {
    const model = fakeModel({
      text: "unsafe\nS10",
      logprobs: [{ token: "unsafe", logprob: Math.log(0.9), topLogprobs: [{ token: "safe", logprob: Math.log(0.1) }] }],
    });
    const scorer = createLlamaGuardScorer({ model });
    const score = await scorer.score("I hate them all", [{ speaker: "system", text: "What do you think of them?" }]);
    expect(score.unsafe).toBe(true);
    expect(score.probability).toBeCloseTo(0.9, 12);
    expect(score.categories).toEqual(["S10: Hate"]);
    expect(model.requests[0]).toMatchObject({ temperature: 0, logprobs: true, n: 1 });
    expect(model.requests[0]?.messages).toEqual([
      { role: "assistant", content: "What do you think of them?" },
      { role: "user", content: "I hate them all" },
    ]);
  });

  it("falls back to 0/1 without logprobs and builds the explicit prompt in prompt mode", async () => {
    const model = fakeModel({ text: "safe" });
    const score = await createLlamaGuardScorer({ model, mode: "prompt" }).score("Thanks!", [{ speaker: "system", text: "Bye" }]);
    expect(score).toEqual({ unsafe: false, probability: 0, categories: [] });
    const prompt = model.requests[0]?.messages[0]?.content ?? "";
    expect(prompt).toContain("S10: Hate.");
    expect(prompt).toContain("Agent: Bye\n\nUser: Thanks!");
    expect(prompt).toBe(llamaGuardPrompt([{ role: "Agent", text: "Bye" }, { role: "User", text: "Thanks!" }], "User"));
  });
});
