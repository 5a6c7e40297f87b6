import type { Speaker, Turn } from "@foresight/dialogue";

/** A reward of one turn; `index` is the turn's position in the dialogue. */
export type TurnReward = (turn: Turn, index: number) => number;

/** Per-turn rewards of one speaker's turns (the other side's turns are skipped), in order. */
export function perTurnRewards(turns: readonly Turn[], reward: TurnReward, speaker?: Speaker): number[] {
  const out: number[] = [];
  turns.forEach((turn, index) => {
    if (speaker === undefined || turn.speaker === speaker) out.push(reward(turn, index));
  });
  return out;
}

/** Σ_t γ^t · r_t (γ = 1 gives the plain cumulative sum). Throws on γ outside [0, 1]. */
export function discountedReturn(rewards: readonly number[], gamma = 1): number {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`discount gamma must be in [0, 1], got ${gamma}`);
  let total = 0;
  let weight = 1;
  for (const reward of rewards) {
    total += weight * reward;
    weight *= gamma;
  }
  return total;
}

/** The discounted return from every step onward: G_t = r_t + γ·G_{t+1}. */
export function returnsToGo(rewards: readonly number[], gamma = 1): number[] {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`discount gamma must be in [0, 1], got ${gamma}`);
  const out = new Array<number>(rewards.length);
  let next = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    next = rewards[t]! + gamma * next;
    out[t] = next;
  }
  return out;
}

/** The running cumulative sums r_0, r_0 + r_1, … */
export function cumulativeRewards(rewards: readonly number[]): number[] {
  let total = 0;
  return rewards.map((reward) => (total += reward));
}
