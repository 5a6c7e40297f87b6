import { describe, expect, it } from "vitest";
import { splitDialogues, splitDeduplicated } from "./dedup-split.js";

const dialogue = (id: string, ...texts: string[]) => ({ id, turns: texts.map((text) => ({ text })) });

describe("splitDialogues", () => {
  it("keeps copies and dialogues with the same opening on one side", () => {
    const items = [];
    for (let i = 0; i < 200; i++) items.push(dialogue(`d${i}`, `opening ${i}`, `reply ${i}`, `more ${i}`));
    items.push(dialogue("copy-of-d7", "Opening 7!", "reply 7", "more 7"));
    items.push(dialogue("same-opening-as-d9", "opening 9", "reply 9", "a different continuation"));
    const split = splitDialogues(items);
    const sideOf = (id: string) => (["train", "dev", "test"] as const).find((s) => split[s].some((d) => d.id === id));
    expect(sideOf("copy-of-d7")).toBe(sideOf("d7"));
    expect(sideOf("same-opening-as-d9")).toBe(sideOf("d9"));
    expect(split.train.length + split.dev.length + split.test.length).toBe(items.length);
    expect(split.test.length).toBeGreaterThan(5);
    expect(split.train.length).toBeGreaterThan(120);
  });
  it("is deterministic and depends on the seed", () => {
    const items = Array.from({ length: 100 }, (_, i) => dialogue(`d${i}`, `t${i}`, `u${i}`));
    expect(splitDialogues(items).test.map((d) => d.id)).toEqual(splitDialogues(items).test.map((d) => d.id));
    expect(splitDialogues(items, { seed: 2 }).test.map((d) => d.id)).not.toEqual(splitDialogues(items).test.map((d) => d.id));
  });
  it("rejects ratios that do not sum to 1", () => {
    expect(() => splitDeduplicated([1], { id: String, keys: () => [], ratios: { train: 0.5, dev: 0.1, test: 0.1 } })).toThrow(/sum to 1/);
  });
});
