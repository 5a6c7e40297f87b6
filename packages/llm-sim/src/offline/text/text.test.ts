import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "./bm25.js";
import { retrieveAndSample } from "./retrieve.js";
import { sampleIndex, sampleTopHit, selectDiverse } from "./sample.js";
import { tokenize } from "./tokenize.js";

describe("tokenize", () => {
  it("lower-cases words, keeps clitics, and splits Chinese into characters and bigrams", () => {
    expect(tokenize("Don't WORRY, it's $2!")).toEqual(["don't", "worry", "it's", "2"]);
    expect(tokenize("您好值机")).toEqual(["您", "您好", "好", "好值", "值", "值机", "机"]);
    expect(tokenize("Café 好")).toEqual(["café", "好"]);
  });
});

describe("Bm25Index", () => {
  const docs = [["the", "cat", "sat"], ["the", "dog", "sat", "down"], ["a", "cat", "and", "a", "cat"], ["nothing", "here"]];
  const index = new Bm25Index(docs);

  it("computes the non-negative IDF and the textbook score", () => {
    expect(index.idf("cat")).toBeCloseTo(Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5)), 12);
    expect(index.idf("unseen")).toBe(0);
    const avg = (3 + 4 + 5 + 2) / 4;
    const expected = index.idf("dog") * ((1 * 2.2) / (1 + 1.2 * (1 - 0.75 + (0.75 * 4) / avg)));
    expect(index.score(["dog"], 1)).toBeCloseTo(expected, 12);
  });

  it("ranks by score, saturates repeated terms, respects pools and returns only matches", () => {
    const hits = index.search(["cat"], { topK: 10 });
    expect(hits.map((h) => h.doc)).toEqual([2, 0]);
    expect(hits[0]!.score).toBeLessThan(2 * hits[1]!.score);
    expect(index.search(["cat"], { pool: new Set([0, 1]) }).map((h) => h.doc)).toEqual([0]);
    expect(index.search(["zebra"])).toEqual([]);
    expect(index.search(["the", "sat", "cat"], { topK: 1 })).toHaveLength(1);
    expect(index.search(["the", "sat", "cat"], { topK: 1 })[0]!.doc).toBe(0);
  });

  it("prunes to exactly the hits of scoring every document and sorting all scores, ties included", () => {
    // Zipf-like words over a small vocabulary, with repeated documents, so scores tie often and common terms are long.
    const rng = createRng(11);
    const word = () => `w${Math.floor(Math.pow(rng.next(), 3) * 40)}`;
    const corpus: string[][] = [];
    for (let d = 0; d < 600; d++) corpus.push(d % 7 === 3 ? [...corpus[d - 1]!] : Array.from({ length: 1 + rng.int(12) }, word));
    const big = new Bm25Index(corpus);
    const everyDoc = (query: string[], k: number, pool?: Set<number>) =>
      corpus
        .map((_, doc) => ({ doc, score: big.score(query, doc) }))
        .filter((hit) => hit.score > 0 && (pool === undefined || pool.has(hit.doc)))
        .sort((a, b) => b.score - a.score || a.doc - b.doc)
        .slice(0, k);
    for (let trial = 0; trial < 200; trial++) {
      const query = Array.from({ length: 1 + rng.int(10) }, word);
      if (trial % 3 === 0) query.push(query[0]!, "unseen");
      const k = [0, 1, 2, 5, 20, 100, 1000][trial % 7]!;
      const pool = trial % 4 === 1 ? new Set(corpus.map((_, doc) => doc).filter(() => rng.next() < 0.3)) : undefined;
      expect(big.search(query, { topK: k, pool })).toEqual(everyDoc(query, k, pool));
    }
  });

  it("rejects parameters outside BM25's range", () => {
    expect(() => new Bm25Index(docs, { b: 2 })).toThrow(/0 ≤ b ≤ 1/);
  });
});

describe("sampling", () => {
  it("draws indexes in proportion to weights with a seeded generator", () => {
    const rng = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[sampleIndex([1, 0, 3], rng)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / 3000).toBeGreaterThan(0.7);
    expect(() => sampleIndex([0, 0], rng)).toThrow(/no positive weight/);
  });

  it("samples only among the top K hits and is reproducible", () => {
    const hits = Array.from({ length: 30 }, (_, doc) => ({ doc, score: 30 - doc }));
    const seen = new Set<number>();
    const rng = createRng(2);
    for (let i = 0; i < 500; i++) seen.add(sampleTopHit(hits, rng, { topK: 4 })!.doc);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(sampleTopHit(hits, createRng(7))).toEqual(sampleTopHit(hits, createRng(7)));
    expect(sampleTopHit([], rng)).toBeUndefined();
  });

  it("picks diverse items over near-duplicates", () => {
    const items = [
      { item: "a", relevance: 1, tokens: new Set(["x", "y"]) },
      { item: "b", relevance: 0.99, tokens: new Set(["x", "y"]) },
      { item: "c", relevance: 0.6, tokens: new Set(["z"]) },
    ];
    const chosen = selectDiverse(items, 2, createRng(3), { firstTopK: 1 });
    expect(chosen).toEqual(["a", "c"]);
  });

  it("falls back to the whole pool when no document shares a word with the query", () => {
    const index = new Bm25Index([["a"], ["b"], ["c"]]);
    const doc = retrieveAndSample(index, ["zzz"], createRng(4), { pool: new Set([1, 2]) });
    expect([1, 2]).toContain(doc);
    expect(retrieveAndSample(index, ["a"], createRng(4), { pool: new Set([0]), exclude: () => true })).toBeUndefined();
  });
});
