import type { GenerativeModel, StepResult } from "@foresight/mcts-core";

/** A tic-tac-toe position as typical JavaScript MCTS examples hold it: a 9-cell array and the side to move. */
export interface ArrayBoard {
  /** Cells row by row: 0 empty, 1 X, 2 O. */
  readonly cells: readonly number[];
  /** The side to move: 1 (X) or 2 (O). */
  readonly player: 1 | 2;
  /** 1 or 2 once that side has a line, else 0. */
  readonly winner: number;
}

const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
];

/**
 * Tic-tac-toe written the way typical JavaScript MCTS libraries and their examples write a game: every move copies
 * the board array into a new position object, legal moves are a fresh array of the empty cells, and a win is found
 * by scanning the eight lines. Same rules and rewards as the engine's packed `TicTacToe` (the mover gets +1 for a
 * win, a draw ends with 0), so it is the "board copied per node" baseline domain.
 */
export class ArrayBoardTicTacToe implements GenerativeModel<ArrayBoard, number> {
  /** The empty board, X to move. */
  static readonly EMPTY: ArrayBoard = Object.freeze({ cells: Object.freeze([0, 0, 0, 0, 0, 0, 0, 0, 0]), player: 1, winner: 0 });

  /** Parses a 9-character board ("X", "O", anything else empty), row by row; the side to move is inferred. */
  static parse(board: string): ArrayBoard {
    if (board.length !== 9) throw new Error(`tic-tac-toe board must have 9 cells, got ${board.length}`);
    const cells = [...board.toUpperCase()].map((c) => (c === "X" ? 1 : c === "O" ? 2 : 0));
    const xs = cells.filter((c) => c === 1).length;
    const os = cells.filter((c) => c === 2).length;
    if (xs !== os && xs !== os + 1) throw new Error(`tic-tac-toe board "${board}" has ${xs} X and ${os} O`);
    return { cells, player: xs > os ? 2 : 1, winner: lineOwner(cells) };
  }

  /** The empty cells, none once someone has a line. */
  actions(state: ArrayBoard): number[] {
    const moves: number[] = [];
    if (state.winner !== 0) return moves;
    for (let i = 0; i < 9; i++) if (state.cells[i] === 0) moves.push(i);
    return moves;
  }

  /** Copies the board, places the mover's mark on `action`, and scans for a line. */
  step(state: ArrayBoard, action: number): StepResult<ArrayBoard> {
    if (state.cells[action] !== 0) throw new Error(`cell ${action} is not empty`);
    const cells = state.cells.slice();
    cells[action] = state.player;
    const winner = lineOwner(cells);
    const next: ArrayBoard = { cells, player: state.player === 1 ? 2 : 1, winner };
    const full = cells.every((c) => c !== 0);
    return { state: next, reward: winner === state.player ? 1 : 0, terminal: winner !== 0 || full };
  }
}

/** 1 or 2 when that side holds a full line, else 0. */
function lineOwner(cells: readonly number[]): number {
  for (const [a, b, c] of LINES) {
    const v = cells[a]!;
    if (v !== 0 && v === cells[b] && v === cells[c]) return v;
  }
  return 0;
}
