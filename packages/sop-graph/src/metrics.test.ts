import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  SopGraph,
  actionAccuracy,
  graphEditDistance,
  pathMetrics,
  precisionRecall,
  solveAssignment,
  sopEditDistance,
  startEndPaths,
  type LabelledDigraph,
} from "./index.js";

interface GedCase {
  name: string;
  g1: { labels: string[]; edges: [number, number][] };
  g2: { labels: string[]; edges: [number, number][] };
  ged: number;
}

const fixtures = JSON.parse(readFileSync(new URL("./test-fixtures/ged-networkx.json", import.meta.url), "utf8")) as {
  networkx: string;
  cases: GedCase[];
};

function sop(edges: [string, string][]): SopGraph {
  return SopGraph.fromEdges(edges);
}

const gold = (): SopGraph =>
  sop([
    ["Agent.Start", "Agent.Ask"],
    ["Agent.Ask", "User.Yes"],
    ["Agent.Ask", "User.No"],
    ["User.Yes", "Agent.Book"],
    ["User.No", "Agent.PoliteEnd"],
    ["Agent.Book", "Agent.PoliteEnd"],
  ]);

describe("graph edit distance", () => {
  it(`agrees with networkx ${fixtures.networkx} on all ${fixtures.cases.length} reference pairs`, () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(30);
    for (const c of fixtures.cases) {
      const result = graphEditDistance(c.g1, c.g2);
      expect({ name: c.name, distance: result.distance, exact: result.exact }).toEqual({ name: c.name, distance: c.ged, exact: true });
      // swapping the graphs gives the same distance under symmetric unit costs
      expect(graphEditDistance(c.g2, c.g1).distance).toBe(c.ged);
    }
  });

  it("counts a self-loop as one edge (hand-checked; networkx 3.6 miscounts self-loops, so the fixtures have none)", () => {
    // g1's loop 1→1 has no counterpart (g2 has no loops): delete it; g1's other 3 edges map onto 3 of g2's 5 edges
    // (0→2, 1→2 and 1→3 under 0↦2, 2↦0, 3↦1, 1↦3), so 2 insertions: 3 in all. networkx.graph_edit_distance says 1.
    const g1: LabelledDigraph = { labels: ["a", "a", "a", "a"], edges: [[1, 1], [2, 0], [3, 0], [3, 1]] };
    const g2: LabelledDigraph = { labels: ["a", "a", "a", "a"], edges: [[0, 1], [0, 2], [1, 2], [1, 3], [3, 2]] };
    expect(graphEditDistance(g1, g2)).toMatchObject({ distance: 3, exact: true });
    expect(graphEditDistance(g2, g1).distance).toBe(3);
    const loop: LabelledDigraph = { labels: ["a"], edges: [[0, 0]] };
    expect(graphEditDistance(loop, { labels: ["a"], edges: [] }).distance).toBe(1);
  });

  it("returns a mapping whose edit cost is the distance", () => {
    const a: LabelledDigraph = { labels: ["x", "y", "z"], edges: [[0, 1], [1, 2]] };
    const b: LabelledDigraph = { labels: ["y", "x"], edges: [[1, 0]] };
    const result = graphEditDistance(a, b);
    expect(result.distance).toBe(2); // delete z and its edge
    expect(result.mapping).toEqual([1, 0, -1]);
  });

  it("reports an approximation beyond the exact limit with a valid lower bound", () => {
    const ring = (n: number, offset: number): LabelledDigraph => ({
      labels: Array.from({ length: n }, (_, i) => `n${(i * 7 + offset) % 5}`),
      edges: Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]),
    });
    const a = ring(9, 0);
    const b = ring(8, 2);
    const exact = graphEditDistance(a, b);
    expect(exact.exact).toBe(true);
    const approx = graphEditDistance(a, b, { maxExactNodes: 4 });
    expect(approx.distance).toBeGreaterThanOrEqual(exact.distance);
    expect(approx.lowerBound).toBeLessThanOrEqual(exact.distance);
    expect(approx.exact).toBe(approx.distance === approx.lowerBound);
    const starved = graphEditDistance(a, b, { maxExpansions: 1 });
    expect(starved.distance).toBeGreaterThanOrEqual(exact.distance);
  });

  it("computes GED and GEDR between SOPs by node name", () => {
    const predicted = gold();
    predicted.removeEdge("User.No", "Agent.PoliteEnd");
    predicted.addEdge("User.No", "Agent.Ask");
    predicted.addEdge("Agent.Book", "Agent.Upsell");
    const result = sopEditDistance(predicted, gold());
    expect(result.distance).toBe(4); // 2 edge swaps + node Upsell + its edge
    expect(result.exact).toBe(true);
    expect(result.goldSize).toBe(6 + 6);
    expect(result.ratio).toBeCloseTo(4 / 12, 10);
    expect(sopEditDistance(gold(), gold()).distance).toBe(0);
  });
});

describe("assignment solver", () => {
  it("finds the optimum of small matrices (checked by brute force)", () => {
    const matrices = [
      [
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ],
      [
        [7, 3, 9, 2],
        [1, 8, 4, 6],
        [5, 5, 1, 9],
        [2, 7, 3, 4],
      ],
      [
        [1, Number.POSITIVE_INFINITY],
        [0, 3],
      ],
    ];
    const permutations = (n: number): number[][] =>
      n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
    for (const m of matrices) {
      const cost = (assign: number[]) => assign.reduce((s, j, i) => s + (m[i] as number[])[j]!, 0);
      const best = Math.min(...permutations(m.length).map(cost));
      expect(cost(solveAssignment(m))).toBe(best);
    }
  });
});

describe("Start→End paths", () => {
  it("enumerates simple paths and scores predicted against gold", () => {
    expect(startEndPaths(gold()).paths).toEqual([
      ["Agent.Start", "Agent.Ask", "User.Yes", "Agent.Book", "Agent.PoliteEnd"],
      ["Agent.Start", "Agent.Ask", "User.No", "Agent.PoliteEnd"],
    ]);
    const predicted = gold();
    predicted.addEdge("Agent.Ask", "Agent.PoliteEnd");
    predicted.removeEdge("Agent.Book", "Agent.PoliteEnd");
    const metrics = pathMetrics(predicted, gold());
    expect(metrics).toMatchObject({ matched: 1, predicted: 2, gold: 2, precision: 0.5, recall: 0.5, truncated: false });
    expect(metrics.f1).toBeCloseTo(0.5, 10);
    expect(pathMetrics(gold(), gold()).f1).toBe(1);
  });

  it("takes each cycle at most once and stops at the cap", () => {
    const looped = gold();
    looped.addEdge("User.No", "Agent.Ask"); // re-ask loop
    expect(startEndPaths(looped).paths).toHaveLength(2);
    const dense = new SopGraph();
    const layers = 6;
    for (let layer = 0; layer < layers; layer++) {
      for (const from of layer === 0 ? ["Agent.Start"] : [`Agent.L${layer}a`, `Agent.L${layer}b`, `Agent.L${layer}c`]) {
        const next = layer === layers - 1 ? ["Agent.PoliteEnd"] : [`Agent.L${layer + 1}a`, `Agent.L${layer + 1}b`, `Agent.L${layer + 1}c`];
        for (const to of next) dense.addEdge(from, to);
      }
    }
    expect(startEndPaths(dense).paths).toHaveLength(3 ** (layers - 1));
    const capped = startEndPaths(dense, { maxPaths: 10 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.paths).toHaveLength(10);
    expect(pathMetrics(dense, dense, { maxPaths: 10 }).truncated).toBe(true);
  });

  it("defines empty sides as zero", () => {
    expect(precisionRecall(0, 3, 0)).toEqual({ precision: 0, recall: 0, f1: 0, matched: 0, predicted: 0, gold: 3 });
    expect(pathMetrics(sop([["Agent.Start", "Agent.Ask"]]), gold()).recall).toBe(0);
  });
});

describe("action accuracy", () => {
  it("computes Acc T, C, P and D", () => {
    const graph = gold();
    const result = actionAccuracy([
      { sop: graph, gold: ["Agent.Greet", "Agent.Ask", "Agent.Book"], predicted: ["Agent.Greet", "Agent.Ask", "Agent.Book"] },
      { sop: graph, gold: ["Agent.Ask", "Agent.Empathize", "Agent.PoliteEnd"], predicted: ["Agent.Ask", "Agent.Ask", "Agent.Book"] },
    ]);
    expect(result.turn).toEqual({ correct: 4, total: 6, accuracy: 4 / 6 });
    expect(result.controllable).toEqual({ correct: 3, total: 4, accuracy: 3 / 4 });
    expect(result.proactive).toEqual({ correct: 1, total: 2, accuracy: 1 / 2 });
    expect(result.dialogue).toEqual({ correct: 1, total: 2, accuracy: 1 / 2 });
    expect(() => actionAccuracy([{ sop: graph, gold: ["Agent.Ask"], predicted: [] }])).toThrow(/item 0: 1 gold actions but 0 predictions/);
  });
});
