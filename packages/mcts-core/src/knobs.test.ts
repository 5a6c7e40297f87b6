import { describe, expect, it } from "vitest";
import { TicTacToe } from "./domains/tictactoe.js";
import { RandomMdp } from "./domains/random-mdp.js";
import { Mcts } from "./engine.js";
import { Rng } from "./rng.js";
import type { GenerativeModel, RolloutInfo, SearchOptions, StepRequest, StepResult } from "./types.js";

const game = new TicTacToe();

describe("mctx parity", () => {
  it("a negative discount is mctx's two-player convention: discount −γ builds the tree of players 2, discount γ", () => {
    const settings: SearchOptions<number, number>[] = [
      { seed: 1 },
      { seed: 2, selection: { kind: "puct", c: 1.5 } },
      { seed: 3, selection: { kind: "muzero" }, valueTransform: { kind: "parentAndSiblings" } },
    ];
    for (const options of settings) {
      const mctx = new Mcts(game, TicTacToe.EMPTY, { ...options, discount: -1 });
      const ours = new Mcts(game, TicTacToe.EMPTY, { ...options, players: 2, discount: 1 });
      mctx.search({ iterations: 1500 });
      ours.search({ iterations: 1500 });
      expect(JSON.stringify(mctx.trace())).toBe(JSON.stringify(ours.trace()));
    }
    const mdp = new RandomMdp({ branching: 3, depth: 5, seed: 1 });
    const a = new Mcts(mdp, mdp.start, { seed: 4, discount: -0.9 });
    const b = new Mcts(mdp, mdp.start, { seed: 4, players: 2, discount: 0.9 });
    expect(JSON.stringify((a.search({ iterations: 500 }), a.trace()))).toBe(JSON.stringify((b.search({ iterations: 500 }), b.trace())));
    expect(() => new Mcts(game, TicTacToe.EMPTY, { discount: -1, players: 1 })).toThrow(/discount.*players: 1/);
    expect(() => new Mcts(game, TicTacToe.EMPTY, { discount: -1.5 })).toThrow(/discount: must lie in \[-1, 1\]/);
  });

  it("invalid-action masks remove actions (priors renormalised over the rest); an all-invalid root is an error", () => {
    const model: GenerativeModel<number, number> = { ...game, actions: (s) => game.actions(s), step: (s, a) => game.step(s, a), prior: (_s, actions) => actions.map((a) => a + 1) };
    const engine = new Mcts(model, TicTacToe.EMPTY, { players: 2, seed: 1, invalidActions: (_s, actions) => actions.map((a) => a % 2 === 1) });
    const result = engine.search({ iterations: 800 });
    expect(result.actions.map((a) => a.action)).toEqual([0, 2, 4, 6, 8]);
    expect(result.actions.map((a) => a.prior)).toEqual([1, 3, 5, 7, 9].map((p) => p / 25));
    for (const node of engine.trace().nodes) for (const edge of node.edges) expect((edge.action as number) % 2).toBe(0);
    expect(() => new Mcts(game, TicTacToe.EMPTY, { invalidActions: (_s, actions) => actions.map(() => true) }).search({ iterations: 1 })).toThrow(/root state has no legal action/);
    expect(() => new Mcts(game, TicTacToe.EMPTY, { invalidActions: () => [true] }).search({ iterations: 1 })).toThrow(/invalidActions: returned 1 flags for 9 actions/);
  });

  it("Dirichlet root noise mixes (1 − ε)·P + ε·Dir(α) into the root priors, afresh for each search and seeded", () => {
    const options: SearchOptions<number, number> = { players: 2, seed: 7, selection: { kind: "puct", c: 1 }, dirichletAlpha: 0.3, dirichletFraction: 0.25 };
    const engine = new Mcts(game, TicTacToe.EMPTY, options);
    const clean = 1 / 9;
    const noiseOf = (priors: number[]) => priors.map((p) => (p - 0.75 * clean) / 0.25);
    const first = noiseOf(engine.search({ iterations: 200 }).actions.map((a) => a.prior));
    const second = noiseOf(engine.search({ iterations: 200 }).actions.map((a) => a.prior));
    for (const noise of [first, second]) {
      expect(noise.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      for (const x of noise) expect(x).toBeGreaterThanOrEqual(-1e-12);
    }
    expect(first).not.toEqual(second);
    const again = new Mcts(game, TicTacToe.EMPTY, options);
    expect(noiseOf(again.search({ iterations: 200 }).actions.map((a) => a.prior))).toEqual(first);
    expect(() => new Mcts(game, TicTacToe.EMPTY, { dirichletFraction: 1.5 })).toThrow(/dirichletFraction/);
  });

  it("Dirichlet samples have the right mean and spread", () => {
    const rng = new Rng(11);
    const k = 4;
    const alpha = 0.5;
    const draws = 20_000;
    const sum = new Array<number>(k).fill(0);
    let sq = 0;
    for (let i = 0; i < draws; i++) {
      const d = rng.dirichlet(alpha, k);
      for (let j = 0; j < k; j++) sum[j]! += d[j]!;
      sq += d[0]! * d[0]!;
    }
    for (const s of sum) expect(s / draws).toBeCloseTo(1 / k, 2);
    // Var of a Dirichlet component: (1/k)(1 − 1/k) / (kα + 1).
    expect(sq / draws - 1 / (k * k)).toBeCloseTo(((1 / k) * (1 - 1 / k)) / (k * alpha + 1), 2);
  });
});

describe("planner knobs", () => {
  it("passes the engine's generator to actions(), so sampled action sets are seeded", () => {
    const seen: unknown[] = [];
    const model: GenerativeModel<number, number> = {
      actions: (s, rng) => {
        seen.push(rng);
        return s > 30 ? [] : [1, 2, 3].filter(() => rng!.next() < 0.8).concat([4]);
      },
      step: (s, a) => ({ state: s * 2 + a, reward: a / 10, terminal: false }),
      evaluate: () => 0,
    };
    const a = new Mcts(model, 1, { seed: 3 });
    const b = new Mcts(model, 1, { seed: 3 });
    a.search({ iterations: 300 });
    b.search({ iterations: 300 });
    expect(JSON.stringify(a.trace())).toBe(JSON.stringify(b.trace()));
    expect(seen.every((rng) => rng === a.rng || rng === b.rng)).toBe(true);
  });

  it("a caller-supplied realization score keeps the top B and samples by softmax(score / τ)", () => {
    // Every visit generates a new realization (ids 1, 2, …); running values favour old ones, the score new ones.
    let n = 0;
    const model: GenerativeModel<number, string> = {
      actions: (s) => (s < 1e6 ? ["go"] : []),
      step: (s): StepResult<number> => (s === 0 ? { state: ++n, reward: 0, terminal: false } : { state: 1e6 + s, reward: 0, terminal: true }),
      evaluate: (s) => (s < 1e6 ? 1 - s / 1000 : 0),
    };
    const engine = new Mcts(model, 0, { seed: 2, loop: { kind: "open", cache: { kind: "topValue", capacity: 3, temperature: 1, score: (s) => s } } });
    engine.search({ iterations: 300 });
    const kept = engine.trace({ describeState: (s) => s }).nodes[1]!.realizations!.map((r) => r.state as number);
    expect(kept.sort((x, y) => x - y)).toEqual([n - 2, n - 1, n]);
    // Sampling: two realizations scored 0 and 1 at τ = 1 are continued from in the ratio 1 : e.
    let m = 0;
    const pair: GenerativeModel<number, string> = {
      actions: (s) => (s < 10 ? ["go"] : []),
      step: (s): StepResult<number> => (s === 0 ? { state: 1 + (m++ % 2), reward: 0, terminal: false } : { state: 10 + s, reward: 0, terminal: true }),
      evaluate: (s) => (s === 1 ? 0.9 : 0),
    };
    const sampler = new Mcts(pair, 0, { seed: 3, loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 1, generate: "untilFull", score: (s) => (s === 2 ? 1 : 0) } } });
    sampler.search({ iterations: 4000 });
    const reals = sampler.trace({ describeState: (s) => s }).nodes[1]!.realizations!;
    const visits = (state: number) => reals.find((r) => r.state === state)!.visits;
    expect(visits(2) / (visits(1) + visits(2))).toBeCloseTo(Math.E / (1 + Math.E), 1);
    expect(() => new Mcts(model, 0, { loop: { kind: "open", cache: { kind: "topValue", capacity: 3, temperature: 1, score: (() => "high") as never } } }).search({ iterations: 5 })).toThrow(/loop\.cache\.score: returned high/);
  });

  it("scores the realization that creates a node like every later one (it is not left at score 0)", () => {
    // The first realization of the node behind "go" is the best by the caller's score; the later ones score 1.
    let n = 0;
    const model: GenerativeModel<number, string> = {
      actions: (s) => (s < 1e6 ? ["go"] : []),
      step: (s): StepResult<number> => (s === 0 ? { state: ++n, reward: 0, terminal: false } : { state: 1e6 + s, reward: 0, terminal: true }),
      evaluate: () => 0,
    };
    const engine = new Mcts(model, 0, { seed: 4, loop: { kind: "open", cache: { kind: "topValue", capacity: 2, temperature: 0.1, score: (s) => (s === 1 ? 10 : 1) } } });
    engine.search({ iterations: 60 });
    const kept = engine.trace({ describeState: (s) => s }).nodes[1]!.realizations!.map((r) => r.state as number);
    expect(n).toBeGreaterThan(10);
    expect(kept).toContain(1);
  });

  it("computes the prior per realization in an open loop (SMCTS-TOD's P(·|h))", () => {
    const calls: number[] = [];
    let n = 0;
    const model: GenerativeModel<number, number> = {
      actions: (s) => (s >= 100 ? [] : [0, 1]),
      // Realization 1 prefers action 0, realization 2 action 1.
      prior: (s, actions) => {
        calls.push(s);
        return actions.map((a) => (s === 0 ? 1 : (s % 2 === 1) === (a === 0) ? 9 : 1));
      },
      step: (s, a): StepResult<number> => (s === 0 ? { state: 1 + (n++ % 2), reward: 0, terminal: false } : { state: 100 + s * 2 + a, reward: s % 2 === 1 ? (a === 0 ? 1 : 0) : a === 1 ? 1 : 0, terminal: true }),
      evaluate: () => 0,
    };
    const open = { kind: "open", cache: { kind: "uniform", k: 2 } } as const;
    const per = new Mcts(model, 0, { seed: 1, selection: { kind: "puct", c: 3 }, loop: { ...open, priorPerRealization: true } });
    per.search({ iterations: 200 });
    // Expansions (root and two children) plus one prior per realization: the root's, and states 1 and 2 of each child.
    expect(new Set(calls)).toEqual(new Set([0, 1, 2]));
    expect(calls.length).toBe(3 + 1 + 2 * 2);
    // Each realization's own preferred action was taken from it, so both rewarding leaves exist.
    const leaves = per.trace({ describeState: (s) => s }).nodes.flatMap((node) => node.realizations ?? []).map((r) => r.state);
    expect(leaves).toEqual(expect.arrayContaining([102, 105]));
    calls.length = 0;
    n = 0;
    new Mcts(model, 0, { seed: 1, selection: { kind: "puct", c: 3 }, loop: open }).search({ iterations: 200 });
    // Without it, once per node: the root and its two children (from whichever realization first expanded each).
    expect(calls.length).toBe(3);
  });

  it("best-of-K expansion keeps the best of K sampled transitions by the caller's score", () => {
    const candidates: number[][] = [];
    let batch: number[] = [];
    const model: GenerativeModel<number, number> = {
      actions: () => [0, 1],
      step: (s, a, rng) => {
        const reward = rng.next();
        batch.push(reward);
        if (batch.length === 4) {
          candidates.push(batch);
          batch = [];
        }
        return { state: s * 3 + a + 1, reward, terminal: false };
      },
      evaluate: () => 0,
    };
    const engine = new Mcts(model, 0, { seed: 5, expansion: { candidates: 4, score: (c) => c.reward } });
    engine.search({ iterations: 50 });
    const rewards = engine.trace().nodes.slice(1).map((n) => n.reward);
    expect(rewards.length).toBe(50);
    expect(candidates.length).toBe(50);
    // (The trace is breadth-first; candidates are in creation order.)
    expect(rewards.sort()).toEqual(candidates.map((c) => Math.max(...c)).sort());
  });

  it("reward-aware rollouts: maxReward follows the highest-reward action; a policy sees the rewards so far", () => {
    // A chain where action 2 always pays most: maxReward rollouts collect 2 per step.
    const model: GenerativeModel<number, number> = {
      actions: (s) => (s >= 5 ? [] : [0, 1, 2]),
      step: (s, a) => ({ state: s + 1, reward: a, terminal: s + 1 >= 5 }),
    };
    const engine = new Mcts(model, 0, { seed: 1, rollout: { depth: Infinity, policy: "maxReward" } });
    const result = engine.search({ iterations: 3 });
    // First simulation: expand action 0 (reward 0) and roll out 4 steps at reward 2 each.
    expect(engine.trace().nodes[0]!.edges[0]!.q).toBe(8);
    expect(result.iterations).toBe(3);
    const infos: RolloutInfo[] = [];
    new Mcts(model, 0, {
      seed: 1,
      rollout: {
        depth: Infinity,
        policy: (_s, actions, _rng, info) => {
          infos.push({ ...info });
          return actions[1]!;
        },
      },
    }).search({ iterations: 1 });
    // The root's own evaluation: a rollout of five steps.
    expect(infos.slice(0, 5)).toEqual([
      { depth: 0, lastReward: 0, totalReward: 0 },
      { depth: 1, lastReward: 1, totalReward: 1 },
      { depth: 2, lastReward: 1, totalReward: 2 },
      { depth: 3, lastReward: 1, totalReward: 3 },
      { depth: 4, lastReward: 1, totalReward: 4 },
    ]);
    // Then the new leaf's, which the policy sees entered with reward 0 (action 0 expanded first).
    expect(infos[5]).toEqual({ depth: 0, lastReward: 0, totalReward: 0 });
  });

  it("max backup: every node's value is the highest Q among its visited actions", () => {
    const mdp = new RandomMdp({ branching: 3, depth: 6, seed: 9 });
    const engine = new Mcts(mdp, mdp.start, { seed: 2, backup: "max", rollout: { depth: 2 } });
    engine.search({ iterations: 2000 });
    let checked = 0;
    for (const node of engine.trace().nodes) {
      const qs = node.edges.filter((e) => e.visits > 0).map((e) => e.q!);
      if (qs.length === 0) continue;
      expect(node.value).toBeCloseTo(Math.max(...qs), 12);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    const mean = new Mcts(mdp, mdp.start, { seed: 2, rollout: { depth: 2 } });
    mean.search({ iterations: 2000 });
    expect(engine.result().rootValue).toBeGreaterThan(mean.result().rootValue);
  });

  it("mean returns: each edge backs up the mean of the rewards from it to the end, so a long path earns no more than a short one", () => {
    // State = steps left on the chosen path; "short" ends at once with 1, "long" pays 0.8 four times.
    type Chain = { path: "root" | "short" | "long"; left: number };
    const chain: GenerativeModel<Chain, string> = {
      actions: (s) => (s.path === "root" ? ["short", "long"] : s.left > 0 ? ["on"] : []),
      step: (s, a) => {
        if (s.path === "root") return a === "short" ? { state: { path: "short", left: 0 }, reward: 1, terminal: true } : { state: { path: "long", left: 3 }, reward: 0.8, terminal: false };
        return { state: { path: s.path, left: s.left - 1 }, reward: 0.8, terminal: s.left === 1 };
      },
    };
    const start: Chain = { path: "root", left: 0 };
    const q = (engine: Mcts<Chain, string>, action: string) => engine.search({ iterations: 0 }).actions.find((a) => a.action === action)!.q;
    const summed = new Mcts(chain, start, { seed: 1, finalChoice: "bestQ" });
    summed.search({ iterations: 40 });
    expect(q(summed, "short")).toBeCloseTo(1, 12);
    expect(q(summed, "long")).toBeCloseTo(3.2, 12);
    const meaned = new Mcts(chain, start, { seed: 1, returns: "mean", finalChoice: "bestQ" });
    const result = meaned.search({ iterations: 40 });
    expect(q(meaned, "short")).toBeCloseTo(1, 12);
    // Every sample of "long" is the mean of its four 0.8s, however deep the tree reaches before the rollout.
    expect(q(meaned, "long")).toBeCloseTo(0.8, 12);
    expect(result.action).toBe("short");
    expect(summed.search({ iterations: 0 }).action).toBe("long");
    // Discounted: Σγ^k·r / n over the four steps below the root's "long" edge.
    const discounted = new Mcts(chain, start, { seed: 1, returns: "mean", discount: 0.5 });
    discounted.search({ iterations: 40 });
    expect(q(discounted, "long")).toBeCloseTo((0.8 * (1 + 0.5 + 0.25 + 0.125)) / 4, 12);
    // The reward-greedy rollout (ChatSOP's) averages the same way.
    const greedy = new Mcts(chain, start, { seed: 1, returns: "mean", rollout: { depth: Infinity, policy: "maxReward" } });
    greedy.search({ iterations: 2 });
    expect(q(greedy, "long")).toBeCloseTo(0.8, 12);
    expect(() => new Mcts(chain, start, { returns: "mean", backup: "max" })).toThrow(/returns: returns "mean" needs backup "mean"/);
    expect(() => new Mcts(chain, start, { returns: "mean", loop: { kind: "open", cache: { kind: "topValue", capacity: 1, temperature: 0.2 } } })).toThrow(/returns: .*closed loop/);
    expect(() => new Mcts(chain, start, { returns: "last" as "sum" })).toThrow(/returns: must be "sum" or "mean", got last/);
  });
});

describe("batched steps in searchAsync", () => {
  it("gathers the steps of simulations in flight (descent, expansion and rollouts) into stepBatch calls", async () => {
    const mdp = new RandomMdp({ branching: 4, depth: 8, seed: 3 });
    const batches: number[] = [];
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      step: () => {
        throw new Error("step must not be called when stepBatch exists");
      },
      stepBatch: async (requests: readonly StepRequest<number, number>[]) => {
        batches.push(requests.length);
        await new Promise((r) => setTimeout(r, 1));
        return requests.map((q) => ({ ...mdp.step(q.state, q.action) }));
      },
      evaluateBatch: async (states) => states.map((s) => (s % 97) / 97),
    };
    const engine = new Mcts(model, mdp.start, { seed: 1, concurrency: 64, stepBatchSize: 64, rollout: { depth: 3 }, expansion: { candidates: 2, score: (c) => c.reward } });
    const result = await engine.searchAsync({ iterations: 512 });
    expect(result.iterations).toBe(512);
    expect(Math.max(...batches)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...batches)).toBeLessThanOrEqual(64);
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    const bad: GenerativeModel<number, number> = { ...model, stepBatch: () => [] };
    await expect(new Mcts(bad, mdp.start, { concurrency: 2 }).searchAsync({ iterations: 4 })).rejects.toThrow(/stepBatch: returned 0 results for 1 requests/);
  });

  it("with one simulation in flight and stepBatch, builds the synchronous search's tree", async () => {
    const mdp = new RandomMdp({ branching: 3, depth: 6, seed: 4 });
    const batched: GenerativeModel<number, number> = { ...mdp, actions: (s) => mdp.actions(s), step: (s, a) => mdp.step(s, a), stepBatch: (requests) => requests.map((q) => ({ ...mdp.step(q.state, q.action) })) };
    const a = new Mcts(batched, mdp.start, { seed: 6 });
    const b = new Mcts(batched, mdp.start, { seed: 6 });
    a.search({ iterations: 400 });
    await b.searchAsync({ iterations: 400 });
    expect(JSON.stringify(a.trace())).toBe(JSON.stringify(b.trace()));
  });
});
