import type { Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { cumulativeRewards, discountedReturn, perTurnRewards, returnsToGo } from "./discount.js";
import { countQuestions, humanEngagementReward, humanQuestionReward, humanReplyLengths, tokenLength } from "./engagement.js";

const turns: Turn[] = [
  { speaker: "system", text: "Hi! Tell me about your day?" },
  { speaker: "user", text: "Hello, how are you today?" },
  { speaker: "system", text: "Great." },
  { speaker: "user", text: "Why? Really??" },
];

describe("discounting", () => {
  it("sums with a discount: 1 + 0.5·2 + 0.25·3 = 2.75", () => {
    expect(discountedReturn([1, 2, 3], 0.5)).toBe(2.75);
    expect(discountedReturn([1, 2, 3])).toBe(6);
    expect(returnsToGo([1, 2, 3], 0.5)).toEqual([2.75, 3.5, 3]);
    expect(cumulativeRewards([1, 2, 3])).toEqual([1, 3, 6]);
    expect(() => discountedReturn([1], 1.5)).toThrow(/gamma must be in \[0, 1\]/);
  });

  it("takes per-turn rewards of one speaker", () => {
    expect(perTurnRewards(turns, (turn) => turn.text.length, "user")).toEqual([25, 13]);
    expect(perTurnRewards(turns, (_turn, index) => index)).toEqual([0, 1, 2, 3]);
  });
});

describe("human engagement", () => {
  it("counts cl100k_base tokens: Hello|,| how| are| you| today|? = 7", () => {
    expect(tokenLength("Hello, how are you today?")).toBe(7);
    expect(tokenLength("Hello, how are you today?", "o200k_base")).toBe(7);
    expect(tokenLength("Why? Really??")).toBe(4);
    expect(tokenLength("")).toBe(0);
  });

  it("counts questions as runs of question marks", () => {
    expect(countQuestions("Really?? Why? No.")).toBe(2);
    expect(countQuestions("你好吗？")).toBe(1);
    expect(countQuestions("Fine.")).toBe(0);
  });

  it("accumulates the human's reply lengths and questions with a discount", () => {
    expect(humanReplyLengths(turns)).toEqual([7, 4]);
    expect(humanEngagementReward(turns, { gamma: 0.5 })).toBe(7 + 0.5 * 4);
    expect(humanQuestionReward(turns, { gamma: 0.5 })).toBe(1 + 0.5 * 2);
  });
});
