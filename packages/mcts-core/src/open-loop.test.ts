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

describe("the chosen realization and open-loop tree reuse", () => {
  it("picks the realization best for the acting player: its own reward counts, a terminal one included", () => {
    // "go" either ends the episode at once with reward 1 or leads to "mid", worth 0.2 from there on.
    const model: GenerativeModel<string, string> = {
      actions: (s) => (s === "root" ? ["go"] : s === "mid" ? ["x"] : []),
      step: (s, _a, rng): StepResult<string> => {
        if (s === "root") return rng.next() < 0.5 ? { state: "win", reward: 1, terminal: true } : { state: "mid", reward: 0, terminal: false };
        return { state: "end", reward: 0.2, terminal: true };
      },
      evaluate: () => 0.2,
    };
    const engine = new Mcts(model, "root", { seed: 1, loop: { kind: "open", cache: { kind: "uniform", k: 4 } } });
    const result = engine.search({ iterations: 100 });
    const held = engine.trace({ describeState: (s) => s }).nodes[1]!.realizations!;
    expect(held.some((r) => r.state === "win" && r.visits > 0)).toBe(true);
    expect(held.some((r) => r.state === "mid" && r.visits > 0 && r.value > 0.1)).toBe(true);
    expect(result.realization!.state).toBe("win");
    expect(result.realization!.reward).toBe(1);
  });

  it("in a two-player game the opponent's running value counts against a realization", () => {
    // The reply "good" leaves the opponent (to move there) at −0.5, "bad" at +0.8: "good" is best for the mover.
    const model: GenerativeModel<string, string> = {
      actions: (s) => (s === "root" ? ["go"] : s === "end" ? [] : ["x"]),
      step: (s, _a, rng): StepResult<string> =>
        s === "root" ? { state: rng.next() < 0.5 ? "good" : "bad", reward: 0, terminal: false } : { state: "end", reward: 0, terminal: true },
      evaluate: (s) => (s === "good" ? -0.5 : s === "bad" ? 0.8 : 0),
    };
    const engine = new Mcts(model, "root", { seed: 2, players: 2, maxDepth: 1, loop: { kind: "open", cache: { kind: "uniform", k: 8 } } });
    const result = engine.search({ iterations: 60 });
    const held = engine.trace({ describeState: (s) => s }).nodes[1]!.realizations!;
    expect(new Set(held.map((r) => r.state))).toEqual(new Set(["good", "bad"]));
    expect(result.realization!.state).toBe("good");
    expect(result.realization!.value).toBeCloseTo(-0.5, 12);
    // advance without an observed state moves to that same realization.
    engine.advance("go");
    expect(engine.trace({ describeState: (s) => s }).nodes[0]!.realizations!.map((r) => r.state)).toEqual(["good"]);
  });

  it("advance into a node whose first realization was terminal, with a live observed state, keeps searching", () => {
    let generated = 0;
    const model: GenerativeModel<string, string> = {
      actions: (s) => (s === "end" ? [] : ["a"]),
      step: (s): StepResult<string> => {
        if (s !== "root") return { state: "end", reward: 0.1, terminal: true };
        const first = generated++ === 0;
        return first ? { state: "end", reward: 0, terminal: true } : { state: `reply${generated}`, reward: 0, terminal: false };
      },
      evaluate: () => 0.3,
    };
    const engine = new Mcts(model, "root", { seed: 3, loop: { kind: "open", cache: { kind: "uniform", k: 3 } } });
    engine.search({ iterations: 30 });
    const child = engine.trace({ describeState: (s) => s }).nodes[1]!;
    expect(child.terminal).toBe(true);
    expect(child.realizations!.some((r) => !r.terminal)).toBe(true);
    engine.advance("a", "reply2");
    const before = engine.trace().nodes[0]!.visits;
    const next = engine.search({ iterations: 10 });
    expect(next.rootVisits).toBe(before + 10);
    expect(engine.trace().nodes[0]!.terminal).toBe(false);
  });
});
