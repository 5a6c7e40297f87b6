import { describe, expect, it } from "vitest";
import { Mcts } from "./engine.js";
import type { GenerativeModel, SearchOptions } from "./types.js";

/** A Bernoulli bandit: state 0 is the decision, state 1 the end; each pull pays 1 with the arm's probability. */
function bandit(probabilities: number[], prior?: number[]): GenerativeModel<number, number> {
  const arms = probabilities.map((_, i) => i);
  return {
    actions: (s) => (s === 0 ? arms : []),
    prior: prior ? () => prior : undefined,
    step: (_s, a, rng) => ({ state: 1, reward: rng.next() < probabilities[a]! ? 1 : 0, terminal: true }),
  };
}

const ARMS = [0.2, 0.5, 0.62, 0.45, 0.3, 0.55];
const sampled = { kind: "closed", outcomes: { kind: "sampled", key: (s: number) => s } } as const;

function bestArm(model: GenerativeModel<number, number>, options: SearchOptions<number, number>, seed: number): number {
  const engine = new Mcts(model, 0, { ...options, loop: sampled, seed, rollout: { depth: 1 } });
  const result = engine.search({ iterations: 4000 });
  expect(result.actions.reduce((s, a) => s + a.visits, 0)).toBe(4000);
  return result.action;
}

describe("stochastic bandits", () => {
  it("UCT finds the best arm", () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(bestArm(bandit(ARMS), { selection: { kind: "uct", c: Math.SQRT2 } }, seed)).toBe(2);
  });

  it("AlphaZero PUCT finds the best arm, even against a misleading prior", () => {
    const misleading = [0.4, 0.2, 0.05, 0.15, 0.1, 0.1];
    for (const seed of [1, 2, 3]) {
      expect(bestArm(bandit(ARMS), { selection: { kind: "puct", c: 2 }, initialQ: 0.5 }, seed)).toBe(2);
      expect(bestArm(bandit(ARMS, misleading), { selection: { kind: "puct", c: 3 }, initialQ: 0.5 }, seed)).toBe(2);
    }
  });

  it("mctx's MuZero PUCT with min-max values finds the best arm", () => {
    for (const seed of [1, 2, 3]) {
      expect(bestArm(bandit(ARMS), { selection: { kind: "muzero" }, valueTransform: { kind: "minMax", min: 0, max: 1 } }, seed)).toBe(2);
    }
  });

  it("sampled outcomes re-draw the reward on every pull (Q tracks the arm's mean)", () => {
    const engine = new Mcts(bandit([0.3]), 0, { loop: sampled, seed: 9, rollout: { depth: 1 } });
    const result = engine.search({ iterations: 3000 });
    expect(Math.abs(result.actions[0]!.q - 0.3)).toBeLessThan(0.04);
    expect(engine.nodeCount).toBe(2);
  });
});
