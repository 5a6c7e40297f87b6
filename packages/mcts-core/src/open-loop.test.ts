import { describe, expect, it } from "vitest";
import { Mcts } from "./engine.js";
import type { GenerativeModel, SearchOptions, StepResult } from "./types.js";

type TrapState = "root" | "safe" | "lucky" | "unlucky" | "end";

/**
 * "risky" leads to a lucky (+1 next) or unlucky (−3 next) state with equal odds, "safe" to +0.2. The very first
 * risky sample is lucky, so a closed-loop tree that stores one outcome per action is misled.
 */
function trap(): GenerativeModel<TrapState, string> {
  let riskySamples = 0;
  return {
    evaluate: () => 0,
    actions: (s) => (s === "root" ? ["risky", "safe"] : s === "end" ? [] : ["go"]),
    step: (s, a, rng): StepResult<TrapState> => {
      if (s === "root" && a === "safe") return { state: "safe", reward: 0, terminal: false };
      if (s === "root") {
        riskySamples++;
        const lucky = riskySamples === 1 || rng.next() < 0.5;
        return { state: lucky ? "lucky" : "unlucky", reward: 0, terminal: false };
      }
      return { state: "end", reward: s === "lucky" ? 1 : s === "unlucky" ? -3 : 0.2, terminal: true };
    },
  };
}

describe("open loop on a stochastic MDP", () => {
  const base: SearchOptions<TrapState, string> = { selection: { kind: "uct", c: 1 } };

  it("a closed-loop tree that stores one sampled outcome is misled; open loop chooses correctly", () => {
    for (const seed of [1, 2, 3]) {
      const closed = new Mcts(trap(), "root", { ...base, seed }).search({ iterations: 400 });
      expect(closed.action).toBe("risky");
      const open = new Mcts(trap(), "root", { ...base, seed, loop: { kind: "open", cache: { kind: "uniform", k: 20 } } });
      const result = open.search({ iterations: 400 });
      expect(result.action).toBe("safe");
      const risky = result.actions.find((a) => a.action === "risky")!;
      expect(risky.q).toBeLessThan(0);
      // Closed loop with sampled, keyed outcomes is exact too.
      const keyed = new Mcts(trap(), "root", { ...base, seed, loop: { kind: "closed", outcomes: { kind: "sampled", key: (s) => s } } });
      expect(keyed.search({ iterations: 400 }).action).toBe("safe");
    }
  });
});

/** A chain whose every step yields a fresh, numbered realization; leaf values come from `values`. */
function counter(values: (n: number) => number) {
  let generated = 0;
  const produced: { action: string; value: number }[] = [];
  const model: GenerativeModel<number, string> = {
    actions: () => ["a", "b"],
    step: (_s, a): StepResult<number> => {
      const id = generated++;
      produced.push({ action: a, value: values(id) });
      return { state: id, reward: a === "a" ? 0.1 : 0, terminal: false };
    },
    evaluate: (s) => (s < 0 ? 0 : values(s)),
  };
  return { model, produced, steps: () => generated };
}

describe("realization caches", () => {
  it("uniform (GDP-Zero): generates until k are held, then reuses them uniformly", () => {
    const k = 3;
    const { model, steps } = counter(() => 0.5);
    const engine = new Mcts(model, -1, { seed: 4, selection: { kind: "uct", c: 1 }, loop: { kind: "open", cache: { kind: "uniform", k } } });
    engine.search({ iterations: 3000 });
    const trace = engine.trace();
    let expectedSteps = 0;
    for (const node of trace.nodes.slice(1)) {
      const visits = trace.nodes[node.parent!]!.edges.find((e) => e.children.includes(node.id))!.visits;
      expect(node.realizations!.length).toBe(Math.min(k, visits));
      expectedSteps += node.realizations!.length;
    }
    expect(steps()).toBe(expectedSteps);
    const busiest = trace.nodes.slice(1).reduce((a, b) => (b.visits > a.visits ? b : a));
    expect(busiest.visits).toBeGreaterThan(900);
    for (const r of busiest.realizations!) expect(Math.abs(r.visits / busiest.visits - 1 / k)).toBeLessThan(0.05);
  });

  it("topValue (SMCTS-TOD): keeps the B best realizations by value", () => {
    const values = (n: number) => ((n * 7919) % 101) / 100;
    const { model, produced } = counter(values);
    const engine = new Mcts(model, -1, {
      seed: 5,
      maxDepth: 1,
      loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 0.2 } },
    });
    const result = engine.search({ iterations: 200 });
    const trace = engine.trace({ describeState: (s) => s });
    const root = trace.nodes[0]!;
    expect(root.edges.length).toBe(2);
    expect(produced.length).toBe(200);
    root.edges.forEach((edge) => {
      const node = trace.nodes[edge.children[0]!]!;
      // Every visit generated one realization; the cache holds the top two of those values.
      const generated = produced.filter((p) => p.action === edge.action).map((p) => p.value);
      expect(generated.length).toBe(edge.visits);
      const topTwo = [...generated].sort((x, y) => y - x).slice(0, 2);
      const held = node.realizations!.map((r) => values(r.state as number)).sort((x, y) => y - x);
      expect(held).toEqual(topTwo);
      // At depth 1 every traversal re-evaluates, so running values stay exactly the evaluations.
      for (const r of node.realizations!) expect(r.value).toBeCloseTo(values(r.state as number), 12);
    });
    const chosen = trace.nodes[root.edges[result.actionIndex]!.children[0]!]!;
    expect(result.realization!.value).toBe(Math.max(...chosen.realizations!.map((r) => r.value)));
  });

  it("topValue with generate untilFull samples realizations by softmax(value / τ)", () => {
    const preset = [0, 0.5, 1];
    const { model, steps } = counter((n) => preset[n % 3]!);
    const engine = new Mcts(
      { ...model, actions: () => ["a"] },
      -1,
      { seed: 6, maxDepth: 1, loop: { kind: "open", cache: { kind: "topValue", capacity: 3, temperature: 0.5, generate: "untilFull" } } },
    );
    engine.search({ iterations: 20000 });
    expect(steps()).toBe(3);
    const child = engine.trace({ describeState: (s) => s }).nodes[1]!;
    const weights = preset.map((v) => Math.exp(v / 0.5));
    const z = weights.reduce((a, b) => a + b);
    for (const r of child.realizations!) {
      const expected = weights[(r.state as number) % 3]! / z;
      expect(Math.abs(r.visits / child.visits - expected)).toBeLessThan(0.02);
    }
  });
});
