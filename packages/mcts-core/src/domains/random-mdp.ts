import type { GenerativeModel, StepResult } from "../types.js";

const DEPTH_BITS = 5;
const HASH_MASK = (1 << 25) - 1;

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Options of {@link RandomMdp}. */
export interface RandomMdpOptions {
  /** Actions per state (default 8). */
  branching?: number;
  /** Episode length (default 20, at most 31). */
  depth?: number;
  /** Seed of the MDP's structure (default 1). */
  seed?: number;
}

/**
 * A synthetic deterministic MDP with cheap steps: every state has `branching` actions, rewards in [0, 1/depth]
 * (so returns lie in [0, 1]) are a hash of (state, action), and episodes end after `depth` steps. States are packed integers (hash · 32 + depth),
 * so stepping allocates nothing. Used by the speed benchmark and the property tests.
 */
export class RandomMdp implements GenerativeModel<number, number> {
  /** The start state. */
  readonly start: number;
  readonly branching: number;
  readonly depth: number;
  private readonly actionList: readonly number[];
  private readonly out: StepResult<number> = { state: 0, reward: 0, terminal: false };

  /** Creates the MDP; throws on a branching below 1 or a depth outside 1–31. */
  constructor(options: RandomMdpOptions = {}) {
    this.branching = options.branching ?? 8;
    this.depth = options.depth ?? 20;
    if (!Number.isInteger(this.branching) || this.branching < 1) throw new Error(`RandomMdp branching must be an integer ≥ 1, got ${this.branching}`);
    if (!Number.isInteger(this.depth) || this.depth < 1 || this.depth > 31) throw new Error(`RandomMdp depth must be an integer in 1–31, got ${this.depth}`);
    this.start = (mix(options.seed ?? 1, 0) & HASH_MASK) << DEPTH_BITS;
    this.actionList = Object.freeze(Array.from({ length: this.branching }, (_, i) => i));
  }

  /** Step count of a state. */
  depthOf(state: number): number {
    return state & ((1 << DEPTH_BITS) - 1);
  }

  /** All actions, none at the final depth. */
  actions(state: number): readonly number[] {
    return (state & 31) >= this.depth ? [] : this.actionList;
  }

  /** Deterministic hashed transition and reward. */
  step(state: number, action: number): StepResult<number> {
    const h = mix(state >>> DEPTH_BITS, action);
    const d = (state & 31) + 1;
    const out = this.out;
    out.state = (h & HASH_MASK) * 32 + d;
    out.reward = (h >>> 22) / (1023 * this.depth);
    out.terminal = d >= this.depth;
    return out;
  }
}
