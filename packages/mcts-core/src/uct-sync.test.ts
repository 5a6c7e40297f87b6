import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { TicTacToe } from "./domains/tictactoe.js";
import { Mcts } from "./engine.js";
import type { GenerativeModel, SearchOptions } from "./types.js";
import { uctFastPathApplies } from "./uct-sync.js";

const game = new TicTacToe();

/** Tic-tac-toe with uneven priors, so the unvisited-edge and tie rules depend on them. */
const skewed: GenerativeModel<number, number> = {
  actions: (s) => game.actions(s),
  step: (s, a) => game.step(s, a),
  prior: (s, actions) => actions.map((a, i) => ((a * 7 + s) % 5) + (i % 2)),
};

const settings: [string, GenerativeModel<number, number>, SearchOptions<number, number>][] = [
  ["default UCT", game, { players: 2, seed: 1 }],
  ["root and interior constants differ", game, { players: 2, seed: 2, selection: { kind: "uct", c: 0.5 }, rootSelection: { kind: "uct", c: 2 } }],
  ["priors break ties", skewed, { players: 2, seed: 3 }],
  ["leaves expanded at creation", game, { players: 2, seed: 4, expandLeaves: true }],
  ["depth limit", game, { players: 2, seed: 5, maxDepth: 3 }],
  ["node cap", game, { players: 2, seed: 6, maxNodes: 300 }],
  ["short rollouts", game, { players: 2, seed: 7, rollout: { depth: 2 } }],
];

describe("UCT fast path", () => {
  it("applies to plain UCT on a deterministic closed loop only", () => {
    expect(uctFastPathApplies(resolveConfig(game, {}))).toBe(true);
    expect(uctFastPathApplies(resolveConfig(game, { backup: "max" }))).toBe(false);
    expect(uctFastPathApplies(resolveConfig(game, { expansion: { candidates: 2, score: (c) => c.reward } }))).toBe(false);
    expect(uctFastPathApplies(resolveConfig(game, { valueTransform: { kind: "minMax" } }))).toBe(false);
    expect(uctFastPathApplies(resolveConfig(game, { rootSelection: { kind: "puct", c: 1 } }))).toBe(false);
    expect(uctFastPathApplies(resolveConfig(game, { loop: { kind: "open", cache: { kind: "uniform", k: 2 } } }))).toBe(false);
  });

  it.each(settings)("builds the general path's tree exactly: %s", async (_name, model, options) => {
    // The synchronous search takes the fast path; searchAsync with one simulation in flight takes the general one.
    const fast = new Mcts(model, TicTacToe.EMPTY, options);
    const general = new Mcts(model, TicTacToe.EMPTY, options);
    const a = fast.search({ iterations: 3000 });
    const b = await general.searchAsync({ iterations: 3000 });
    expect(fast.nodeCount).toBeGreaterThan(100);
    expect(JSON.stringify(fast.trace())).toBe(JSON.stringify(general.trace()));
    expect(a.actions).toEqual(b.actions);
    // And again after moving the root, on the reused tree.
    fast.advance(a.action);
    general.advance(b.action);
    fast.search({ iterations: 1000 });
    await general.searchAsync({ iterations: 1000 });
    expect(JSON.stringify(fast.trace())).toBe(JSON.stringify(general.trace()));
  });
});
