import { describe, expect, it } from "vitest";
import { RULE_GUMBEL, T_MIX, T_NONE } from "./config.js";
import { RandomMdp } from "./domains/random-mdp.js";
import { Mcts } from "./engine.js";
import type { GenerativeModel, StepResult } from "./types.js";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("top-value realization cache", () => {
  it("ranks by reward + γ·value: a terminal win is kept over a state of higher running value", () => {
    // One action; its outcomes alternate between a terminal win (reward 1, value 0) and a middling state (value 0.5).
    let n = 0;
    const model: GenerativeModel<string, string> = {
      actions: (s) => (s === "root" ? ["go"] : ["wait"]),
      step: (s): StepResult<string> => (s === "root" ? (n++ % 2 === 0 ? { state: "win", reward: 1, terminal: true } : { state: "mid", reward: 0, terminal: false }) : { state: "mid", reward: 0, terminal: false }),
      evaluate: (s) => (s === "mid" ? 0.5 : 0),
    };
    const engine = new Mcts(model, "root", { seed: 1, loop: { kind: "open", cache: { kind: "topValue", capacity: 1, temperature: 0.1 } } });
    engine.search({ iterations: 50 });
    const child = engine.trace({ describeState: (s) => s }).nodes[1]!;
    expect(child.realizations!.map((r) => r.state)).toEqual(["win"]);
  });

  it("in a two-player search keeps the realizations best for the player who acted, not for the opponent", () => {
    // The mover's outcome is a state whose value (for the opponent, to move there) is 0.8 or 0.2.
    let n = 0;
    const model: GenerativeModel<string, string> = {
      actions: () => ["go"],
      step: (): StepResult<string> => ({ state: n++ % 2 === 0 ? "opponent-good" : "opponent-bad", reward: 0, terminal: false }),
      evaluate: (s) => (s === "opponent-good" ? 0.8 : s === "opponent-bad" ? 0.2 : 0),
    };
    const engine = new Mcts(model, "root", { seed: 1, players: 2, maxDepth: 1, loop: { kind: "open", cache: { kind: "topValue", capacity: 1, temperature: 0.1 } } });
    engine.search({ iterations: 40 });
    const child = engine.trace({ describeState: (s) => s }).nodes[1]!;
    expect(child.realizations!.map((r) => r.state)).toEqual(["opponent-bad"]);
    expect(engine.result().realization!.state).toBe("opponent-bad");
  });

  it("reuses evicted slots: memory stays proportional to the live realizations (generate: always)", () => {
    const mdp = new RandomMdp({ branching: 3, depth: 6, seed: 2 });
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      step: (s, a, rng) => ({ ...mdp.step(s, a), state: mdp.step(s, a).state + Math.floor(rng.next() * 4) }),
      evaluate: (s) => ((s * 2654435761) % 1000) / 1000,
    };
    const engine = new Mcts(model, mdp.start, { seed: 3, loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 1 } } });
    engine.search({ iterations: 20_000 });
    const live = engine.realizationCount;
    expect(live).toBeGreaterThan(10);
    // Slots are reused, so the arrays hold at most the live realizations rounded up to a power of two.
    expect(engine.tree.realCapacity).toBeLessThanOrEqual(Math.max(16, 2 ** Math.ceil(Math.log2(live + 1))));
  });
});

describe("searchAsync abandoned simulations", () => {
  it("never leaves a node in the tree without its evaluation: an abandoned leaf is evaluated when next reached", async () => {
    const mdp = new RandomMdp({ branching: 2, depth: 6, seed: 4 });
    let slow = true;
    const valueOf = (s: number) => 0.25 + (s % 7) / 10;
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      step: (s, a) => ({ ...mdp.step(s, a) }),
      evaluate: (s) => (slow ? delay(40).then(() => valueOf(s)) : valueOf(s)),
    };
    const engine = new Mcts(model, mdp.start, { seed: 5, concurrency: 4, rollout: { depth: 0 } });
    const first = await engine.searchAsync({ iterations: 1000, timeMs: 60 });
    expect(first.stopReason).toBe("time");
    slow = false;
    await engine.searchAsync({ iterations: 200 });
    const trace = engine.trace({ describeState: (s) => s });
    for (const node of trace.nodes) {
      if (node.terminal || node.visits === 0) continue;
      expect(node.rawValue, `node ${node.id}`).toBeCloseTo(valueOf(node.state as number), 12);
    }
    // Also when the next search is synchronous.
    slow = true;
    const again = new Mcts(model, mdp.start, { seed: 5, concurrency: 4, rollout: { depth: 0 } });
    await again.searchAsync({ iterations: 1000, timeMs: 60 });
    slow = false;
    again.search({ iterations: 200 });
    for (const node of again.trace({ describeState: (s) => s }).nodes) {
      if (node.terminal || node.visits === 0) continue;
      expect(node.rawValue, `node ${node.id}`).toBeCloseTo(valueOf(node.state as number), 12);
    }
  });
});

describe("advance", () => {
  it("recomputes the tree-wide min-max bounds from the kept subtree", () => {
    const mdp = new RandomMdp({ branching: 4, depth: 6, seed: 6 });
    const engine = new Mcts(mdp, mdp.start, { seed: 7, valueTransform: { kind: "minMax" } });
    const result = engine.search({ iterations: 3000 });
    const before = [engine.selector.minSeen, engine.selector.maxSeen];
    engine.advance(result.action);
    let lo = Infinity;
    let hi = -Infinity;
    const tree = engine.tree;
    for (let e = 0; e < tree.edgeTotal; e++) {
      if (tree.edgeVisits[e]! > 0) {
        lo = Math.min(lo, tree.edgeValue[e]! / tree.edgeVisits[e]!);
        hi = Math.max(hi, tree.edgeValue[e]! / tree.edgeVisits[e]!);
      }
    }
    expect([engine.selector.minSeen, engine.selector.maxSeen]).toEqual([lo, hi]);
    expect([lo, hi]).not.toEqual(before);
  });
});

describe("Gumbel settings", () => {
  it("a Gumbel root over a PUCT interior keeps the interior's Q untransformed by default", () => {
    const mdp = new RandomMdp({ branching: 4, depth: 4, seed: 8 });
    const engine = new Mcts(mdp, mdp.start, { rootSelection: { kind: "gumbel" }, selection: { kind: "puct", c: 1 } });
    expect(engine.cfg.root.code).toBe(RULE_GUMBEL);
    expect(engine.cfg.rootTransform).toBe(T_MIX);
    expect(engine.cfg.transform).toBe(T_NONE);
    // Behaviour: the interior's choices are PUCT on raw Q, the same as with an explicit "none" below a UCT root…
    const tree = engine.tree;
    engine.search({ iterations: 64 });
    const child = tree.edgeChild[tree.firstEdge[0]!]!;
    engine.selector.completeQ(tree, child, engine.cfg.transform);
    const first = tree.firstEdge[child]!;
    for (let i = 0; i < tree.edgeCount[child]!; i++) {
      const n = tree.edgeVisits[first + i]!;
      expect(engine.selector.q[i]).toBe(n > 0 ? tree.edgeValue[first + i]! / n : 0);
    }
  });

  it("after tree reuse, the final choice is among the actions most visited by this search", () => {
    // Action 0 of every state has a dominant prior, so it holds most visits before the reuse; with strong Gumbel
    // noise and two considered actions, the second search may not consider it at all.
    const model: GenerativeModel<number, number> = {
      actions: () => [0, 1, 2, 3, 4, 5, 6, 7],
      prior: (_s, actions) => actions.map((a) => (a === 0 ? 20 : 1)),
      step: (s, a) => ({ state: s * 8 + a + 1, reward: 0, terminal: false }),
      evaluate: (s) => ((s * 37) % 11) / 11,
    };
    let checked = 0;
    for (let seed = 0; seed < 20; seed++) {
      const engine = new Mcts(model, 0, { seed, selection: { kind: "gumbel", maxConsideredActions: 2, gumbelScale: 10 } });
      const first = engine.search({ iterations: 200 });
      engine.advance(first.action);
      const base = engine.result().actions.map((a) => a.visits);
      const second = engine.search({ iterations: 6 });
      const fresh = second.actions.map((a, i) => a.visits - base[i]!);
      if (fresh[0] === 0 && base[0]! > 0) checked++;
      expect(fresh[second.actionIndex], `seed ${seed}`).toBe(Math.max(...fresh));
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("options", () => {
  const mdp = new RandomMdp({ branching: 2, depth: 3 });

  it("rejects unknown option keys by name, at every level", () => {
    expect(() => new Mcts(mdp, mdp.start, { dirichletAlfa: 0.3 } as never)).toThrow(/mcts option dirichletAlfa: unknown option/);
    expect(() => new Mcts(mdp, mdp.start, { invalidAction: () => [] } as never)).toThrow(/invalidAction: unknown/);
    expect(() => new Mcts(mdp, mdp.start, { selection: { kind: "uct", c: 1, cpuct: 2 } } as never)).toThrow(/selection\.cpuct/);
    expect(() => new Mcts(mdp, mdp.start, { valueTransform: { kind: "minMax", lo: 0 } } as never)).toThrow(/valueTransform\.lo/);
    expect(() => new Mcts(mdp, mdp.start, { loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 1, tau: 1 } } } as never)).toThrow(/loop\.cache\.tau/);
    expect(() => new Mcts(mdp, mdp.start, { rollout: { depth: 2, polcy: "random" } } as never)).toThrow(/rollout\.polcy/);
    expect(() => new Mcts(mdp, mdp.start).search({ iterations: 5, timeMS: 5 } as never)).toThrow(/budget\.timeMS/);
  });
});
