import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { combineVerdicts, compareSystems, judgePair, judgeTranscript, parseJudgeVerdict } from "./judge.js";
import { logBinomialLowerTail, signTest } from "./sign-test.js";

describe("pairwise judge", () => {
  it("counts a verdict only when both orders agree", () => {
    expect(combineVerdicts("first", "second")).toBe("a");
    expect(combineVerdicts("second", "first")).toBe("b");
    expect(combineVerdicts("tie", "tie")).toBe("tie");
    expect(combineVerdicts("first", "first")).toBe("inconsistent");
    expect(combineVerdicts("tie", "second")).toBe("inconsistent");
    expect(combineVerdicts(undefined, "first")).toBe("invalid");
  });

  it("asks in both orders and combines", async () => {
    const judge = new ScriptedChatModel({ respond: (request) => (request.messages[1]?.content.indexOf("GOOD") ?? 0) < (request.messages[1]?.content.indexOf("BAD") ?? 0) ? '{"winner": "A"}' : "[[B]]" });
    const result = await judgePair(judge, "p", "User: hi\nCompanion: GOOD", "User: hi\nCompanion: BAD");
    expect(result).toEqual({ id: "p", aFirst: "first", bFirst: "second", outcome: "a" });
    expect(judge.requests).toHaveLength(2);
    expect(judge.requests[1]?.messages[1]?.content.indexOf("BAD")).toBeLessThan(judge.requests[1]?.messages[1]?.content.indexOf("GOOD") ?? 0);
  });

  it("discards a position-biased judge's verdicts and reports win/tie/loss with significance", async () => {
    const biased = new ScriptedChatModel({ respond: () => '{"winner": "A"}' });
    const pairs = Array.from({ length: 5 }, (_, index) => ({ id: String(index), a: "GOOD", b: "BAD" }));
    const summary = await compareSystems(biased, pairs);
    expect(summary).toMatchObject({ wins: 0, ties: 0, losses: 0, inconsistent: 5, pValue: 1 });
    const fair = new ScriptedChatModel({ respond: (request) => (request.messages[1]?.content.startsWith("Conversation A:\nGOOD") ? '{"winner": "A"}' : '{"winner": "B"}') });
    const good = await compareSystems(fair, Array.from({ length: 10 }, (_, index) => ({ id: String(index), a: "GOOD", b: "BAD" })));
    expect(good).toMatchObject({ wins: 10, losses: 0, ties: 0, inconsistent: 0 });
    expect(good.pValue).toBeCloseTo(2 / 1024, 12);
    expect(good.pairs.map((pair) => pair.id)).toEqual(Array.from({ length: 10 }, (_, index) => String(index)));
  });

  it("reads verdicts and strips tags from judged transcripts", () => {
    expect(parseJudgeVerdict('{"winner": "tie", "reason": "same"}')).toBe("tie");
    expect(parseJudgeVerdict("Both fine. [[A]]")).toBe("first");
    expect(parseJudgeVerdict("Response B is better")).toBe("second");
    expect(parseJudgeVerdict("I cannot decide")).toBeUndefined();
    expect(judgeTranscript([{ role: "user", content: "hi" }, { role: "assistant", content: "⟦a_motivation=greet⟧ ⟦a_emotion⟧ ⟦a_topic⟧\nhello" }])).toBe("User: hi\nCompanion: hello");
  });
});

describe("exact two-sided sign test", () => {
  it("matches binomial tail values", () => {
    expect(signTest(0, 0)).toBe(1);
    expect(signTest(5, 5)).toBe(1);
    expect(signTest(1, 0)).toBe(1);
    expect(signTest(6, 0)).toBeCloseTo(2 / 64, 12);
    // P(X ≤ 5), X ~ Bin(20, ½) = 21700 / 2^20.
    expect(signTest(15, 5)).toBeCloseTo((2 * 21700) / 2 ** 20, 12);
    expect(signTest(5, 15)).toBe(signTest(15, 5));
    expect(Math.exp(logBinomialLowerTail(2, 4))).toBeCloseTo(11 / 16, 12);
  });

  it("stays finite for thousands of comparisons", () => {
    const p = signTest(2600, 2400);
    expect(p).toBeGreaterThan(0.004);
    expect(p).toBeLessThan(0.006);
    expect(signTest(3000, 0)).toBe(0);
    expect(() => signTest(-1, 2)).toThrow(RangeError);
  });
});
