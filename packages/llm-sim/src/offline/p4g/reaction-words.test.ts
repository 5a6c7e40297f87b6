import { describe, expect, it } from "vitest";
import { WORDS_FEATURES, WordsIndex } from "./reaction-words.js";

const examples = [
  { text: "Would you donate to the children today?", reaction: "donate", dialogueId: "a" },
  { text: "Would you donate to the children today?", reaction: "no donation", dialogueId: "b" },
  { text: "Would you donate some money to the charity?", reaction: "donate", dialogueId: "c" },
  { text: "How are you doing this morning?", reaction: "neutral", dialogueId: "d" },
  { text: "How are you doing tonight?", reaction: "positive reaction", dialogueId: "e" },
] as const;

describe("WordsIndex", () => {
  const index = new WordsIndex(examples);
  const donateShare = (row: number[]) => Math.exp(row[4]!);

  it("describes an utterance by the reactions to the nearest training utterances and its surface", () => {
    const row = index.features("Please donate $2 to the children");
    expect(row).toHaveLength(WORDS_FEATURES.length);
    // Neighbours: the three donation asks (two donated, one refused), against the two greetings; base rate 0.4.
    expect(donateShare(row)).toBeCloseTo((2 + 4 * 0.4) / (3 + 4), 12);
    expect(donateShare(index.features("Doing this morning"))).toBeCloseTo((0 + 4 * 0.4) / (2 + 4), 12);
    expect(row.slice(5)).toEqual([Math.log1p(6), 0, 1, 1, 1]);
    expect(index.features("hello there").slice(5)).toEqual([Math.log1p(2), 0, 0, 0, 0]);
  });

  it("leaves a training utterance's own dialogue out, so it is described as a new utterance would be", () => {
    // The text is in dialogues a (donate) and b (refused): as a's turn only b's refusal among exact copies remains.
    const asA = index.features("Would you donate to the children today?", "a");
    const asB = index.features("Would you donate to the children today?", "b");
    expect(donateShare(asB)).toBeGreaterThan(donateShare(asA));
    // Without a dialogue given, the first training dialogue holding the exact text is left out.
    expect(index.features("Would you donate to the children today?")).toEqual(asA);
    expect(() => new WordsIndex([])).toThrow(/no training utterances/);
  });
});
