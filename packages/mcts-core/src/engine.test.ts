import { describe, expect, it, vi } from "vitest";
import { RandomMdp } from "./domains/random-mdp.js";
import { TicTacToe } from "./domains/tictactoe.js";
import { Mcts } from "./engine.js";
import { consideredVisitSequence } from "./gumbel.js";
import { visitPolicy } from "./result.js";
import { createRng } from "./rng.js";
import type { GenerativeModel, SearchOptions } from "./types.js";

const mdp = new RandomMdp({ branching: 3, depth: 4, seed: 7 });

describe("configuration and model errors", () => {
  it("names the bad option", () => {
    expect(() => new Mcts(mdp, mdp.start, { selection: { kind: "uct", c: NaN } })).toThrow(/selection\.c/);
    expect(() => new Mcts(mdp, mdp.start, { discount: 1.5 })).toThrow(/discount/);
    expect(() => new Mcts(mdp, mdp.start, { loop: { kind: "closed", outcomes: { kind: "sampled" } } })).toThrow(/loop\.outcomes/);
    expect(() => new Mcts(mdp, mdp.start, { finalChoice: "gumbel" })).toThrow(/finalChoice/);
    expect(() => new Mcts(mdp, mdp.start, { rollout: { depth: 0 } })).toThrow(/rollout/);
    expect(() => new Mcts(mdp, mdp.start, { loop: { kind: "open", cache: { kind: "uniform", k: 0 } } })).toThrow(/loop\.cache\.k/);
    expect(() => new Mcts(mdp, mdp.start, { concurrency: 1.5 })).toThrow(/concurrency/);
    const engine = new Mcts(mdp, mdp.start);
    expect(() => engine.search({})).toThrow(/budget/);
    expect(() => engine.search({ iterations: -1 })).toThrow(/budget\.iterations/);
    const gumbel = new Mcts(mdp, mdp.start, { selection: { kind: "gumbel" } });
    expect(() => gumbel.search({ timeMs: 10 })).toThrow(/Gumbel/);
  });

  it("rejects negative constants, fractional depths and missing parts with the option's name", () => {
    const bad: [SearchOptions<number, number>, RegExp][] = [
      [{ selection: { kind: "uct", c: -1 } }, /selection\.c: must be ≥ 0/],
      [{ rootSelection: { kind: "puct", c: -0.5 } }, /rootSelection\.c: must be ≥ 0/],
      [{ selection: { kind: "muzero", pbCInit: -1 } }, /selection\.pbCInit/],
      [{ selection: { kind: "gumbel", gumbelScale: -1 } }, /selection\.gumbelScale/],
      [{ selection: { kind: "gumbel", maxConsideredActions: 0 } }, /selection\.maxConsideredActions/],
      [{ valueTransform: { kind: "completedByMixValue", valueScale: -0.1 } }, /valueTransform\.valueScale/],
      [{ valueTransform: { kind: "completedByMixValue", maxVisitInit: -5 } }, /valueTransform\.maxVisitInit/],
      [{ virtualLoss: -1 }, /virtualLoss: must be ≥ 0/],
      [{ rollout: { depth: 2.5 } }, /rollout\.depth: must be an integer/],
      [{ rollout: { depth: 2, policy: "greedy" as never } }, /rollout\.policy/],
      [{ loop: { kind: "closed", outcomes: { kind: "sampled", widening: { k: 0, alpha: 0.5 } } } }, /loop\.outcomes\.widening\.k/],
      [{ loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 0 } } }, /loop\.cache\.temperature/],
      [{ loop: { kind: "open" } as never }, /loop\.cache: open loop needs a cache/],
      [{ selection: "uct" as never }, /selection: must be an object/],
      [{ seed: NaN }, /seed: must be a finite number or a string/],
      [{ temperature: -1 }, /temperature/],
      [{ batchSize: 0 }, /batchSize/],
    ];
    for (const [options, message] of bad) expect(() => new Mcts(mdp, mdp.start, options), JSON.stringify(options)).toThrow(message);
    // c = 0 (greedy) is allowed, and Gumbel below a non-Gumbel root defaults to the most-visited final choice.
    expect(new Mcts(mdp, mdp.start, { selection: { kind: "uct", c: 0 } }).search({ iterations: 5 }).iterations).toBe(5);
    const mixed = new Mcts(mdp, mdp.start, { seed: 1, selection: { kind: "gumbel" }, rootSelection: { kind: "puct", c: 1 } });
    const result = mixed.search({ iterations: 30 });
    expect(result.actions[result.actionIndex]!.visits).toBe(Math.max(...result.actions.map((a) => a.visits)));
  });

  it("names the model method that misbehaved", () => {
    const base: GenerativeModel<number, number> = { actions: () => [0, 1], step: (s) => ({ state: s + 1, reward: 0, terminal: s > 2 }) };
    expect(() => new Mcts({ ...base, prior: () => [1] }, 0).search({ iterations: 3 })).toThrow(/model\.prior: returned 1 weights for 2 actions/);
    expect(() => new Mcts({ ...base, prior: () => [1, -1] }, 0).search({ iterations: 3 })).toThrow(/model\.prior: weight 1/);
    expect(() => new Mcts({ ...base, step: () => ({ state: 1, reward: NaN, terminal: true }) }, 0).search({ iterations: 3 })).toThrow(/model\.step: reward/);
    expect(() => new Mcts({ ...base, actions: () => [] }, 0).search({ iterations: 3 })).toThrow(/root state has no legal action/);
    expect(() => new Mcts({ ...base, evaluate: () => Infinity }, 0).search({ iterations: 3 })).toThrow(/model\.evaluate/);
    expect(() => new Mcts({ ...base, step: () => undefined as never }, 0).search({ iterations: 3 })).toThrow(/model\.step: must return/);
    expect(() => new Mcts({ ...base, actions: () => null as never }, 0).search({ iterations: 3 })).toThrow(/model\.actions: must return an array/);
  });
});

describe("helpers", () => {
  it("seeded generator is deterministic and uniform enough", () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    expect(createRng("x").next()).toBe(createRng("x").next());
    expect(createRng(1).fork("a").next()).not.toBe(createRng(1).fork("b").next());
  });

  it("visit policy with temperature", () => {
    expect(visitPolicy([1, 3], 1)).toEqual([0.25, 0.75]);
    visitPolicy([1, 3], 0.5).forEach((p, i) => expect(p).toBeCloseTo([0.1, 0.9][i]!, 12));
    expect(visitPolicy([1, 3, 3], 0)).toEqual([0, 0.5, 0.5]);
    expect(visitPolicy([0, 0], 1)).toEqual([0.5, 0.5]);
    // T → 0: a temperature so small that 1/T overflows is the greedy limit, not NaN.
    expect(visitPolicy([1, 3, 2], 1e-320)).toEqual([0, 1, 0]);
    expect(visitPolicy([1, 3, 2], 1e-4)).toEqual([0, 1, 0]);
    expect(() => visitPolicy([1, 3], -1)).toThrow(/temperature/);
  });

  it("sequential halving schedule matches mctx's", () => {
    expect(consideredVisitSequence(4, 16)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(consideredVisitSequence(1, 4)).toEqual([0, 1, 2, 3]);
    expect(consideredVisitSequence(2, 5)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe("engine features", () => {
  it("two-player backups flip sign: a forced win is valued +1 for the mover", () => {
    const engine = new Mcts(new TicTacToe(), TicTacToe.parse("XX.OO...."), { players: 2, seed: 1 });
    const result = engine.search({ iterations: 2000 });
    expect(result.action).toBe(2);
    expect(result.actions[result.actionIndex]!.q).toBe(1);
    expect(result.rootValue).toBeGreaterThan(0.5);
  });

  it("final choices: most visits, best Q, sampled, Gumbel with its improved policy", () => {
    const r1 = new Mcts(mdp, mdp.start, { seed: 3, finalChoice: "bestQ" }).search({ iterations: 300 });
    const bestQ = Math.max(...r1.actions.filter((a) => a.visits > 0).map((a) => a.q));
    expect(r1.actions[r1.actionIndex]!.q).toBe(bestQ);
    const r2 = new Mcts(mdp, mdp.start, { seed: 3 }).search({ iterations: 300 });
    expect(r2.actions[r2.actionIndex]!.visits).toBe(Math.max(...r2.actions.map((a) => a.visits)));
    expect(r2.actions.reduce((s, a) => s + a.policy, 0)).toBeCloseTo(1, 12);
    const sample = (seed: number) => new Mcts(mdp, mdp.start, { seed, finalChoice: "sample" }).search({ iterations: 300 }).action;
    expect(sample(5)).toBe(sample(5));
    const g = new Mcts(mdp, mdp.start, { seed: 3, selection: { kind: "gumbel", maxConsideredActions: 2 } }).search({ iterations: 20 });
    expect(g.improvedPolicy!.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    expect(g.actions[g.actionIndex]!.visits).toBe(Math.max(...g.actions.map((a) => a.visits)));
  });

  it("progressive widening bounds sampled outcomes per action by k·N^α", () => {
    const noisy: GenerativeModel<number, number> = {
      actions: (s) => (s >= 100 ? [] : [0, 1]),
      step: (s, a, rng) => ({ state: s + 1 + rng.next(), reward: a * rng.next(), terminal: s + 1 >= 3 }),
      evaluate: () => 0,
    };
    const engine = new Mcts(noisy, 0, { seed: 2, loop: { kind: "closed", outcomes: { kind: "sampled", widening: { k: 1, alpha: 0.5 } } } });
    engine.search({ iterations: 400 });
    for (const node of engine.trace().nodes) {
      for (const edge of node.edges) expect(edge.children.length).toBeLessThanOrEqual(Math.ceil(Math.sqrt(Math.max(1, edge.visits))));
    }
    expect(engine.trace().nodes[0]!.edges.some((e) => e.children.length > 3)).toBe(true);
  });

  it("advance: open loop takes the observed state as the new root's realization", () => {
    const engine = new Mcts(mdp, mdp.start, { seed: 1, loop: { kind: "open", cache: { kind: "uniform", k: 2 } } });
    const result = engine.search({ iterations: 200 });
    expect(result.realization).toBeDefined();
    const observed = { ...mdp.step(mdp.start, result.action) }.state;
    engine.advance(result.action, observed);
    const trace = engine.trace({ describeState: (s) => s });
    expect(trace.nodes[0]!.realizations!.map((r) => r.state)).toEqual([observed]);
    expect(trace.nodes[0]!.visits).toBe(result.actions[result.actionIndex]!.visits);
    expect(() => engine.advance(99)).toThrow(/not among the root's actions/);
  });

  it("advance: an unexplored outcome needs the observed state, which becomes a fresh root", () => {
    const engine = new Mcts(mdp, mdp.start, { seed: 1 });
    engine.search({ iterations: 1 });
    const unexplored = engine.result().actions.find((a) => a.visits === 0)!.action;
    expect(() => engine.advance(unexplored)).toThrow(/pass the observed state/);
    engine.advance(unexplored, 12345 * 32 + 1);
    expect(engine.nodeCount).toBe(1);
    expect(engine.search({ iterations: 5 }).rootVisits).toBe(6);
  });

  it("maxDepth evaluates nodes at the depth limit instead of expanding them", () => {
    const engine = new Mcts(mdp, mdp.start, { seed: 1, maxDepth: 2 });
    engine.search({ iterations: 500 });
    expect(Math.max(...engine.trace().nodes.map((n) => n.depth))).toBe(2);
  });

  it("a sync time budget ends with stop reason time, at the first clock check past the deadline", () => {
    const real = new Mcts(mdp, mdp.start, { seed: 1 }).search({ timeMs: 20 });
    expect(real.stopReason).toBe("time");
    expect(real.elapsedMs).toBeGreaterThanOrEqual(20);
    // A clock that advances 1 ms per read (iterations ≥ 0.25 ms apart: it is read before every one) makes the count
    // exact whatever the machine's load: read at the start (t = 1), then before iterations 0…48 (t = 2…50), and at
    // t = 51 the deadline 1 + 50 has passed.
    let t = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => ++t);
    try {
      const stepped = new Mcts(mdp, mdp.start, { seed: 1 }).search({ timeMs: 50 });
      expect(stepped).toMatchObject({ stopReason: "time", iterations: 49 });
    } finally {
      clock.mockRestore();
    }
  });

  it("traces are plain JSON", () => {
    const engine = new Mcts(mdp, mdp.start, { seed: 1, loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 0.5 } } });
    engine.search({ iterations: 50 });
    const trace = engine.trace({ describeState: (s) => s, maxNodes: 10 });
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    expect(trace.nodes.length).toBe(10);
    for (const node of trace.nodes) for (const edge of node.edges) for (const c of edge.children) expect(c).toBeLessThan(10);
  });
});
