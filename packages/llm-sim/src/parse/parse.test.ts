import { z } from "zod";
import { describe, expect, it } from "vitest";
import { cleanUtterance, dedupeKey, extractJson, matchLabel, normalizeLabel, optionKeys, parseBinary, parseJsonOutput, parseProbability, parseVerdict } from "./index.js";

const acts = ["greeting", "credibility appeal", "emotion appeal", "logical appeal", "task related inquiry", "proposition of donation", "other"];

describe("matchLabel", () => {
  it("tolerates case, brackets, hyphens and prose", () => {
    expect(matchLabel("Credibility-Appeal", acts)).toEqual({ label: "credibility appeal", method: "exact" });
    expect(matchLabel("I would go with [Emotion Appeal] here.", acts)).toEqual({ label: "emotion appeal", method: "bracketed" });
    expect(matchLabel("**task-related inquiry** because the user is unsure", acts)?.label).toBe("task related inquiry");
    expect(matchLabel("logical appeal: the numbers speak", acts)).toEqual({ label: "logical appeal", method: "prefix" });
    expect(matchLabel("The next act should be a proposition of donation, then maybe other things.", acts)).toEqual({
      label: "proposition of donation",
      method: "contains",
    });
  });

  it("takes option keys, aliases and CJK labels", () => {
    const keys = optionKeys(acts.length);
    expect(matchLabel("B) credibility appeal", acts, { optionKeys: keys })?.label).toBe("credibility appeal");
    expect(matchLabel("(F)", acts, { optionKeys: keys })?.label).toBe("proposition of donation");
    expect(matchLabel("a donation ask", acts, { aliases: { "donation ask": "proposition of donation" } })?.label).toBe("proposition of donation");
    expect(matchLabel("下一步应该是建立信任。", ["打招呼", "建立信任"])?.label).toBe("建立信任");
  });

  it("does not read a sentence's opening article or pronoun as an option key", () => {
    const keys = optionKeys(acts.length);
    expect(matchLabel("A logical appeal would work best here.", acts, { optionKeys: keys })?.label).toBe("logical appeal");
    expect(matchLabel("A credibility appeal.", acts, { optionKeys: keys })?.label).toBe("credibility appeal");
    expect(matchLabel("A. logical appeal", acts, { optionKeys: keys })?.label).toBe("logical appeal");
    expect(matchLabel("E - task related inquiry", acts, { optionKeys: keys })).toEqual({ label: "task related inquiry", method: "option" });
    expect(matchLabel("Answer: C", acts, { optionKeys: keys })).toEqual({ label: "emotion appeal", method: "option" });
    expect(matchLabel("B) I think this is best", acts, { optionKeys: keys })).toEqual({ label: "credibility appeal", method: "option" });
    const sop = ["Greet", "Verify identity", "Empathize", "Build trust", "Relieve doubts", "Attempt persuasion", "Chit-chat", "Thank", "Other action", "Polite end"];
    expect(matchLabel("I would empathize first.", sop, { optionKeys: optionKeys(sop.length) })?.label).toBe("Empathize");
  });

  it("returns undefined when nothing matches", () => {
    expect(matchLabel("I have no idea", acts)).toBeUndefined();
    expect(matchLabel("", acts)).toBeUndefined();
    expect(matchLabel("a", acts, { optionKeys: optionKeys(7) })?.label).toBe("greeting");
    expect(matchLabel("a word", acts, { optionKeys: optionKeys(7) })).toBeUndefined();
  });

  it("normalises labels", () => {
    expect(normalizeLabel(" [Foot-in_the.Door] ")).toBe("foot in the door");
    expect(() => optionKeys(27)).toThrow(/26/);
  });
});

describe("JSON extraction", () => {
  it("reads fenced, chatty and trailing-comma JSON", () => {
    expect(extractJson('Sure!\n```json\n{"a": 1}\n```\nHope that helps')).toEqual({ a: 1 });
    expect(extractJson('The answer is {"next": ["x", "y",],} as requested.')).toEqual({ next: ["x", "y"] });
    expect(extractJson('noise {"s": "a } brace"} tail')).toEqual({ s: "a } brace" });
    expect(extractJson("[1, 2]")).toEqual([1, 2]);
    expect(extractJson("no json here")).toBeUndefined();
  });

  it("validates against a schema and names the field", () => {
    const schema = z.object({ probability: z.number() });
    expect(parseJsonOutput('{"probability": 0.4}', schema)).toEqual({ ok: true, value: { probability: 0.4 } });
    expect(parseJsonOutput('{"probability": "high"}', schema)).toMatchObject({ ok: false, reason: expect.stringContaining("probability") });
    expect(parseJsonOutput("nothing", schema)).toMatchObject({ ok: false });
  });
});

describe("numbers, yes/no and verdicts", () => {
  it("parses probabilities", () => {
    expect(parseProbability('{"probability": 0.8}')).toBe(0.8);
    expect(parseProbability("I'd say 70% likely")).toBeCloseTo(0.7);
    expect(parseProbability("7 out of 10")).toBeCloseTo(0.7);
    expect(parseProbability("Probability: 0.35")).toBe(0.35);
    expect(parseProbability("1.5")).toBeUndefined();
    expect(parseProbability("unsure")).toBeUndefined();
  });

  it("reads the answer, not numbers in the reasoning before it", () => {
    expect(parseProbability("Step 1: the user confirmed the booking. Step 2: nothing is missing, so 0.8")).toBe(0.8);
    expect(parseProbability("Step 1: the goal is met, so 0.8.")).toBe(0.8);
    expect(parseProbability("Two of 3 slots are filled; I'd put it at 65%")).toBeCloseTo(0.65);
    expect(parseProbability("Reasoning: 2 requests remain.\nScore = 7/10")).toBeCloseTo(0.7);
  });

  it("prefers a labelled value over other numbers", () => {
    expect(parseProbability("probability: 0.8, given 1 open request")).toBe(0.8);
    expect(parseProbability('The judge says "value": 0.3 (1 of 2 checks passed)')).toBe(0.3);
    expect(parseProbability("**Probability:** 0.25 after step 1")).toBe(0.25);
    expect(parseProbability("The likelihood is 90%, per step 1")).toBeCloseTo(0.9);
    expect(parseProbability("First guess probability: 0.4; final probability: 0.6 (1 issue)")).toBe(0.6);
    expect(parseProbability("Step 1 done. Probability: 1.4")).toBeUndefined();
  });

  it("reads JSON inside prose before any number in the text", () => {
    expect(parseProbability('Step 1: check the goal. Answer: {"probability": 0.45}')).toBe(0.45);
    expect(parseProbability('```json\n{"value": "0.2"}\n```\nbased on 1 turn')).toBe(0.2);
  });

  it("parses binary judgements", () => {
    expect(parseBinary("Yes, it is rational.")).toBe(1);
    expect(parseBinary("irrational")).toBe(0);
    expect(parseBinary('{"rational": false, "reason": "skips verification"}')).toBe(0);
    expect(parseBinary("Answer: 1")).toBe(1);
    expect(parseBinary("是")).toBe(1);
    expect(parseBinary("hard to say")).toBeUndefined();
  });

  it("parses verdicts", () => {
    expect(parseVerdict("[[B]]")).toBe("B");
    expect(parseVerdict('{"winner": "A"}')).toBe("A");
    expect(parseVerdict("Response A is more engaging.")).toBe("A");
    expect(parseVerdict("b")).toBe("B");
    expect(parseVerdict("Tie")).toBe("tie");
    expect(parseVerdict("Response A is kind but Response B is better")).toBeUndefined();
    expect(parseVerdict("Verdict: B")).toBe("B");
    expect(parseVerdict("I cannot decide")).toBeUndefined();
    // Whole-transcript judges name "Conversation A/B".
    expect(parseVerdict('{"winner": "Conversation B"}')).toBe("B");
    expect(parseVerdict("Conversation A is clearly better.")).toBe("A");
  });
});

describe("utterances", () => {
  it("strips speaker prefixes and tags and cuts at the next speaker", () => {
    const cleaned = cleanUtterance('Persuadee: [positive reaction] "That sounds great!"\nPersuader: Wonderful.', { speaker: "Persuadee", others: ["Persuader"] });
    expect(cleaned).toEqual({ text: "That sounds great!", tag: "positive reaction" });
    expect(cleanUtterance("Persuader [greeting]: Hi there", { speaker: "Persuader" })).toEqual({ text: "Hi there", tag: "greeting" });
    expect(cleanUtterance("   ", { speaker: "User" }).text).toBe("");
    expect(dedupeKey("Hello, there!")).toBe(dedupeKey("hello there"));
  });
});
