import { TicTacToe } from "@foresight/mcts-core";
import { describe, expect, it } from "vitest";
import { ArrayBoardTicTacToe, type ArrayBoard } from "./array-board-tictactoe.js";
import { ObjectTreeUct } from "./object-tree-uct.js";

const packed = new TicTacToe();
const array = new ArrayBoardTicTacToe();

function format(board: ArrayBoard): string {
  return board.cells.map((c) => (c === 1 ? "X" : c === 2 ? "O" : ".")).join("");
}

describe("ArrayBoardTicTacToe (typical-library board)", () => {
  it("matches the packed TicTacToe on every position of the whole game tree", () => {
    let nodes = 0;
    let wins = 0;
    const mismatches: string[] = [];
    const walk = (p: number, a: ArrayBoard): void => {
      nodes++;
      const moves = array.actions(a);
      if (moves.join() !== packed.actions(p).join()) mismatches.push(`moves at ${format(a)}`);
      for (const move of moves) {
        const pr = packed.step(p, move);
        const next = { state: pr.state, reward: pr.reward, terminal: pr.terminal };
        const ar = array.step(a, move);
        if (format(ar.state) !== TicTacToe.format(next.state) || ar.reward !== next.reward || ar.terminal !== next.terminal) {
          mismatches.push(`${format(a)} + ${move}`);
        }
        wins += ar.reward;
        if (ar.terminal) nodes++;
        else walk(next.state, ar.state);
      }
    };
    walk(TicTacToe.EMPTY, ArrayBoardTicTacToe.EMPTY);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(nodes).toBe(549_946);
    expect(wins).toBe(131_184 + 77_904);
  });

  it("copies the board on every move and parses positions", () => {
    const start = ArrayBoardTicTacToe.parse("XX.O.....");
    expect(start.player).toBe(2);
    const next = array.step(start, 2).state;
    expect(format(start)).toBe("XX.O.....");
    expect(format(next)).toBe("XXOO.....");
    expect(() => array.step(start, 0)).toThrow(/not empty/);
    expect(() => ArrayBoardTicTacToe.parse("XXX")).toThrow(/9 cells/);
    expect(() => ArrayBoardTicTacToe.parse("XXX......")).toThrow(/3 X and 0 O/);
  });

  it("lets the object-tree baseline win at once and block a loss", () => {
    const win = new ObjectTreeUct(array, ArrayBoardTicTacToe.parse("XX.OO...."), { players: 2, seed: 1 });
    expect(win.search({ iterations: 3000 }).move).toBe(2);
    const block = new ObjectTreeUct(array, ArrayBoardTicTacToe.parse("XX.O....."), { players: 2, seed: 1 });
    expect(block.search({ iterations: 3000 }).move).toBe(2);
  });
});
