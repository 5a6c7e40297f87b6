import { Mcts, RandomMdp, TicTacToe } from "@foresight/mcts-core";
import { describe, expect, it } from "vitest";
import { ObjectTreeUct, type UctNode } from "./object-tree-uct.js";

const ttt = new TicTacToe();

function countNodes(node: UctNode<number, number>): number {
  let n = 1;
  for (const child of node.children) n += countNodes(child);
  return n;
}

describe("ObjectTreeUct (conventional object-tree baseline)", () => {
  it("takes an immediate win instead of blocking", () => {
    // X to move: X wins at cell 2; O threatens cell 5.
    const state = TicTacToe.parse("XX.OO....");
    for (const seed of [1, 2, 3]) {
      const search = new ObjectTreeUct(ttt, state, { players: 2, seed });
      expect(search.search({ iterations: 3000 }).move).toBe(2);
    }
  });

  it("blocks an immediate loss", () => {
    // O to move, no win of its own: X threatens cell 2.
    const state = TicTacToe.parse("XX.O.....");
    for (const seed of [1, 2, 3]) {
      const search = new ObjectTreeUct(ttt, state, { players: 2, seed });
      expect(search.search({ iterations: 3000 }).move).toBe(2);
    }
  });

  it("agrees with the engine on a forced block in the middle game", () => {
    // X to move; O threatens the diagonal at cell 8 (cells 0 and 4 are O).
    const state = TicTacToe.parse("OX..O.X..");
    const baseline = new ObjectTreeUct(ttt, state, { players: 2, seed: 5 }).search({ iterations: 4000 }).move;
    const engine = new Mcts(ttt, state, { players: 2, seed: 5 }).search({ iterations: 4000 }).action;
    expect(baseline).toBe(8);
    expect(engine).toBe(8);
  });

  it("keeps visit counts consistent: one node per iteration until terminals, children sum to the root", () => {
    const search = new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2, seed: 9 });
    const result = search.search({ iterations: 500 });
    expect(result.iterations).toBe(500);
    expect(search.root.visits).toBe(500);
    expect(search.root.children.reduce((sum, c) => sum + c.visits, 0)).toBe(500);
    expect(search.nodeCount).toBe(countNodes(search.root));
    expect(search.nodeCount).toBeLessThanOrEqual(501);
    expect(search.nodeCount).toBeGreaterThan(400);
    for (const child of search.root.children) expect(Math.abs(child.total / child.visits)).toBeLessThanOrEqual(1);
  });

  it("is deterministic for a seed and runs single-agent models", () => {
    const run = (seed: number) => {
      const search = new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2, seed });
      search.search({ iterations: 800 });
      return search.root.children.map((c) => [c.move, c.visits, c.total]);
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
    const mdp = new RandomMdp({ branching: 4, depth: 6, seed: 2 });
    const single = new ObjectTreeUct(mdp, mdp.start, { seed: 2 });
    expect(single.search({ iterations: 300 }).iterations).toBe(300);
    expect(single.root.visits).toBe(300);
  });

  it("rejects a missing or bad budget and an async model", () => {
    const search = new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2 });
    expect(() => search.search({})).toThrow(/iterations or timeMs/);
    expect(() => search.search({ iterations: -1 })).toThrow(/iterations/);
    expect(() => new ObjectTreeUct(ttt, TicTacToe.EMPTY, { c: -1 })).toThrow(/c must be/);
    const asyncModel = { actions: () => [0, 1], step: async () => ({ state: 1, reward: 0, terminal: true }) };
    expect(() => new ObjectTreeUct(asyncModel, 0).search({ iterations: 1 })).toThrow(/synchronous/);
  });
});
