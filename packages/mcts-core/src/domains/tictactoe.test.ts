import { describe, expect, it } from "vitest";
import { Mcts } from "../engine.js";
import { TicTacToe } from "./tictactoe.js";

const game = new TicTacToe();
const memo = new Map<number, number>();

/** Exact game value for the player to move: +1 win, 0 draw, −1 loss. */
function negamax(state: number): number {
  const cached = memo.get(state);
  if (cached !== undefined) return cached;
  let best = -Infinity;
  const actions = game.actions(state);
  if (actions.length === 0) return 0;
  for (const a of actions) {
    const { state: next, reward, terminal } = { ...game.step(state, a) };
    const value = terminal ? reward : -negamax(next);
    if (value > best) best = value;
  }
  memo.set(state, best);
  return best;
}

function moveValue(state: number, action: number): number {
  const { state: next, reward, terminal } = { ...game.step(state, action) };
  return terminal ? reward : -negamax(next);
}

function searchMove(state: number, iterations: number, seed: number): number {
  const engine = new Mcts(game, state, { players: 2, seed, selection: { kind: "uct", c: 1 } });
  return engine.search({ iterations }).action;
}

describe("tic-tac-toe", () => {
  it("parses, formats and scores boards", () => {
    const s = TicTacToe.parse("XXXOO....");
    expect(TicTacToe.format(s)).toBe("XXXOO....");
    expect(TicTacToe.winner(s)).toBe(1);
    expect(game.actions(s)).toEqual([]);
    expect(game.actions(TicTacToe.EMPTY)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => TicTacToe.parse("XXX")).toThrow(/9 cells/);
    expect(() => TicTacToe.parse("XXXX.....")).toThrow(/4 X and 0 O/);
  });

  it("picks a game-theoretically optimal move in every position after one or two plies", () => {
    const positions = [TicTacToe.EMPTY];
    for (const a of game.actions(TicTacToe.EMPTY)) {
      const s1 = { ...game.step(TicTacToe.EMPTY, a) }.state;
      positions.push(s1);
      for (const b of game.actions(s1)) positions.push({ ...game.step(s1, b) }.state);
    }
    expect(positions.length).toBe(1 + 9 + 72);
    const wrong: string[] = [];
    positions.forEach((state, i) => {
      const action = searchMove(state, 20000, i + 1);
      if (moveValue(state, action) < negamax(state)) wrong.push(`${TicTacToe.format(state)} → ${action}`);
    });
    expect(wrong).toEqual([]);
  });

  it("finds the winning move and the only saving block", () => {
    const win = TicTacToe.parse("XX.OO....");
    expect(searchMove(win, 5000, 1)).toBe(2);
    const block = TicTacToe.parse("OO.X....X");
    for (const a of game.actions(block)) expect(moveValue(block, a)).toBe(a === 2 ? negamax(block) : -1);
    expect(searchMove(block, 5000, 2)).toBe(2);
  });

  it("self-play from the empty board, with tree reuse, is a perfect-play draw", () => {
    for (const seed of [1, 2, 3]) {
      let state = TicTacToe.EMPTY;
      const engine = new Mcts(game, state, { players: 2, seed, selection: { kind: "uct", c: 1 } });
      let terminal = false;
      let reward = 0;
      while (!terminal) {
        const { action } = engine.search({ iterations: 20000 });
        expect(moveValue(state, action)).toBe(negamax(state));
        const step = { ...game.step(state, action) };
        state = step.state;
        terminal = step.terminal;
        reward = step.reward;
        if (!terminal) engine.advance(action, state);
      }
      expect(reward).toBe(0);
      expect(TicTacToe.winner(state)).toBe(0);
    }
  });
});
