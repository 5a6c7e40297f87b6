import type { GenerativeModel, StepResult } from "../types.js";

// Rows, columns and diagonals as 9-bit masks (cell i is bit i, cells numbered row by row).
const WIN_MASKS = [0b000000111, 0b000111000, 0b111000000, 0b001001001, 0b010010010, 0b100100100, 0b100010001, 0b001010100];

const HAS_LINE = new Uint8Array(512);
for (let marks = 0; marks < 512; marks++) HAS_LINE[marks] = WIN_MASKS.some((m) => (marks & m) === m) ? 1 : 0;

/** True when the 9-bit `marks` contain a full line (a table lookup). */
export function hasLine(marks: number): boolean {
  return HAS_LINE[marks & 511] === 1;
}

const EMPTY_ACTIONS: readonly number[] = Object.freeze([]);
const ACTIONS_BY_FREE: (readonly number[])[] = [];
for (let free = 0; free < 512; free++) {
  const cells: number[] = [];
  for (let i = 0; i < 9; i++) if (free & (1 << i)) cells.push(i);
  ACTIONS_BY_FREE.push(Object.freeze(cells));
}

/**
 * Tic-tac-toe as a two-player generative model over a packed integer state: bits 0–8 hold X's marks, bits 9–17
 * O's, bit 18 is set when O is to move. Actions are cell indices 0–8 (row by row). The mover gets reward +1 for a
 * win; a draw ends with 0. Allocation-free: actions come from a table and `step` reuses one result object.
 */
export class TicTacToe implements GenerativeModel<number, number> {
  /** The empty board, X to move. */
  static readonly EMPTY = 0;
  private readonly out: StepResult<number> = { state: 0, reward: 0, terminal: false };

  /** Parses a 9-character board ("X", "O", anything else empty), row by row; the side to move is inferred. */
  static parse(board: string): number {
    if (board.length !== 9) throw new Error(`tic-tac-toe board must have 9 cells, got ${board.length}`);
    let x = 0;
    let o = 0;
    for (let i = 0; i < 9; i++) {
      const c = board[i]!.toUpperCase();
      if (c === "X") x |= 1 << i;
      else if (c === "O") o |= 1 << i;
    }
    const xs = popcount(x);
    const os = popcount(o);
    if (xs !== os && xs !== os + 1) throw new Error(`tic-tac-toe board "${board}" has ${xs} X and ${os} O`);
    return x | (o << 9) | (xs > os ? 1 << 18 : 0);
  }

  /** Renders a state as 9 characters, row by row. */
  static format(state: number): string {
    let s = "";
    for (let i = 0; i < 9; i++) s += state & (1 << i) ? "X" : state & (1 << (i + 9)) ? "O" : ".";
    return s;
  }

  /** +1 if X has a line, −1 if O has, 0 otherwise. */
  static winner(state: number): number {
    if (hasLine(state & 511)) return 1;
    if (hasLine((state >> 9) & 511)) return -1;
    return 0;
  }

  /** Legal moves: the empty cells, none once someone has a line. */
  actions(state: number): readonly number[] {
    const x = state & 511;
    const o = (state >> 9) & 511;
    if (hasLine(x) || hasLine(o)) return EMPTY_ACTIONS;
    return ACTIONS_BY_FREE[~(x | o) & 511]!;
  }

  /** Places the mover's mark on `action`. */
  step(state: number, action: number): StepResult<number> {
    const oToMove = (state >> 18) & 1;
    const shift = oToMove ? 9 : 0;
    const next = (state | (1 << (action + shift))) ^ (1 << 18);
    const mine = (next >> shift) & 511;
    const out = this.out;
    out.state = next;
    if (hasLine(mine)) {
      out.reward = 1;
      out.terminal = true;
    } else {
      out.reward = 0;
      out.terminal = ((next | (next >> 9)) & 511) === 511;
    }
    return out;
  }
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
