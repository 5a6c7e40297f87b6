import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomMdp } from "./domains/random-mdp.js";
import { Mcts } from "./engine.js";
import type { SearchTrace, TraceNode } from "./result.js";
import type { SearchOptions } from "./types.js";

const selection = fc.constantFrom<SearchOptions<number, number>["selection"]>(
  { kind: "uct", c: 1.4 },
  { kind: "puct", c: 1.5 },
  { kind: "muzero" },
  { kind: "gumbel", maxConsideredActions: 4, gumbelScale: 1 },
);
const loop = fc.constantFrom<SearchOptions<number, number>["loop"]>(
  { kind: "closed" },
  { kind: "closed", outcomes: { kind: "sampled", key: (s: number) => s } },
  { kind: "open", cache: { kind: "uniform", k: 2 } },
  { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 0.3 } },
);
const setup = fc.record({
  branching: fc.integer({ min: 1, max: 5 }),
  depth: fc.integer({ min: 1, max: 6 }),
  iterations: fc.integer({ min: 1, max: 200 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  discount: fc.constantFrom(1, 0.9),
  selection,
  loop,
});
type Setup = typeof setup extends fc.Arbitrary<infer T> ? T : never;

function build(s: Setup) {
  const model = new RandomMdp({ branching: s.branching, depth: s.depth, seed: s.seed });
  const engine = new Mcts(model, model.start, { seed: s.seed, discount: s.discount, selection: s.selection, loop: s.loop });
  return { model, engine };
}

function subtree(trace: SearchTrace, id: number): TraceNode[] {
  const out: TraceNode[] = [];
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    const node = trace.nodes[queue[head]!]!;
    out.push(node);
    for (const edge of node.edges) queue.push(...edge.children);
  }
  return out;
}

function stats(nodes: TraceNode[]) {
  return nodes.map((n) => ({
    visits: n.visits,
    value: n.value,
    reward: n.reward,
    edges: n.edges.map((e) => [e.action, e.prior, e.visits, e.q, e.children.length]),
    realizations: n.realizations?.map((r) => [r.visits, r.value, r.reward]),
  }));
}

describe("search properties", () => {
  it("spends exactly the iteration budget, and visit counts add up", () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { engine } = build(s);
        const result = engine.search({ iterations: s.iterations });
        expect(result.iterations).toBe(s.iterations);
        expect(result.stopReason).toBe("iterations");
        expect(result.rootVisits).toBe(s.iterations + 1);
        expect(result.actions.reduce((sum, a) => sum + a.visits, 0)).toBe(s.iterations);
        const trace = engine.trace();
        for (const node of trace.nodes) {
          if (node.edges.length > 0) expect(node.visits).toBe(1 + node.edges.reduce((sum, e) => sum + e.visits, 0));
          for (const edge of node.edges) {
            const below = edge.children.reduce((sum, c) => sum + trace.nodes[c]!.visits, 0);
            expect(below).toBe(edge.visits);
          }
          if (node.realizations) {
            expect(node.realizations.length).toBeGreaterThan(0);
            expect(node.realizations.length).toBeLessThanOrEqual(node.id === 0 ? 1 : 2);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("keeps every value within the returns' bounds [0, 1]", () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { engine } = build(s);
        engine.search({ iterations: s.iterations });
        for (const node of engine.trace().nodes) {
          expect(node.value).toBeGreaterThanOrEqual(-1e-12);
          expect(node.value).toBeLessThanOrEqual(1 + 1e-12);
          for (const edge of node.edges) {
            if (edge.q === null) continue;
            expect(edge.q).toBeGreaterThanOrEqual(-1e-12);
            expect(edge.q).toBeLessThanOrEqual(1 + 1e-12);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("is deterministic: same seed, model and settings give the identical tree, sync or async", async () => {
    await fc.assert(
      fc.asyncProperty(setup, async (s) => {
        const a = build(s).engine;
        const b = build(s).engine;
        const c = build(s).engine;
        const ra = a.search({ iterations: s.iterations });
        const rb = b.search({ iterations: s.iterations });
        const rc = await c.searchAsync({ iterations: s.iterations });
        expect(JSON.stringify(a.trace())).toBe(JSON.stringify(b.trace()));
        expect(JSON.stringify(c.trace())).toBe(JSON.stringify(a.trace()));
        expect(rb.action).toBe(ra.action);
        expect(rc.action).toBe(ra.action);
      }),
      { numRuns: 40 },
    );
  });

  it("tree reuse keeps the chosen subtree's statistics and keeps counting from them", () => {
    fc.assert(
      fc.property(setup, fc.integer({ min: 1, max: 100 }), (s, more) => {
        fc.pre(s.depth >= 2 && s.loop?.kind !== "open");
        const { engine } = build(s);
        const result = engine.search({ iterations: s.iterations });
        const before = engine.trace();
        const edge = before.nodes[0]!.edges[result.actionIndex]!;
        fc.pre(edge.children.length > 0);
        const childId = edge.children.reduce((best, c) => (before.nodes[c]!.visits > before.nodes[best]!.visits ? c : best));
        const expected = stats(subtree(before, childId));
        engine.advance(result.action);
        const after = engine.trace();
        expect(stats(after.nodes)).toEqual(expected);
        expect(engine.nodeCount).toBe(expected.length);
        const rootVisits = after.nodes[0]!.visits;
        if (!after.nodes[0]!.terminal) {
          const next = engine.search({ iterations: more });
          expect(next.rootVisits).toBe(rootVisits + more);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a node cap bounds the tree while the search keeps counting visits", () => {
    fc.assert(
      fc.property(setup, fc.integer({ min: 2, max: 30 }), (s, cap) => {
        const model = new RandomMdp({ branching: s.branching, depth: s.depth, seed: s.seed });
        const engine = new Mcts(model, model.start, { seed: s.seed, maxNodes: cap, loop: s.loop });
        const result = engine.search({ iterations: s.iterations });
        expect(engine.nodeCount).toBeLessThanOrEqual(cap);
        expect(result.actions.reduce((sum, a) => sum + a.visits, 0)).toBe(s.iterations);
      }),
      { numRuns: 40 },
    );
  });
});
