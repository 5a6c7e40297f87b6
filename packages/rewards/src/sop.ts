/** Where a dialogue ended on its SOP graph. */
export type SopCompletion = "success" | "terminal" | "none";

/** ChatSOP's task-completion rewards: 0.7 for a success state, 0.3 for another terminal state, 0 otherwise. */
export const SOP_COMPLETION_REWARDS: Readonly<Record<SopCompletion, number>> = Object.freeze({
  success: 0.7,
  terminal: 0.3,
  none: 0,
});

/** ChatSOP's task completion: the reward of the state reached (success takes precedence over terminal). */
export function sopTaskCompletion(
  reached: { success: boolean; terminal: boolean },
  rewards: Readonly<Record<SopCompletion, number>> = SOP_COMPLETION_REWARDS,
): number {
  return rewards[reached.success ? "success" : reached.terminal ? "terminal" : "none"];
}

/** ChatSOP's rationality score: the mean of an LLM judge's 0/1 samples ("is this action rational here?"). */
export function rationalityScore(samples: readonly (number | boolean)[]): number {
  if (samples.length === 0) throw new Error("rationalityScore: no judge samples");
  let total = 0;
  for (const sample of samples) {
    const value = typeof sample === "boolean" ? (sample ? 1 : 0) : sample;
    if (value !== 0 && value !== 1) throw new RangeError(`rationality samples must be 0 or 1, got ${sample}`);
    total += value;
  }
  return total / samples.length;
}

/** Options of {@link sopReward}. */
export interface SopRewardInput {
  reached: { success: boolean; terminal: boolean };
  /** The judge's 0/1 samples for the step's rationality. */
  rationalitySamples: readonly (number | boolean)[];
  /** Weight of rationality against task completion (default 1, as in SOP-guided MCTS). */
  rationalityWeight?: number;
  completionRewards?: Readonly<Record<SopCompletion, number>>;
}

/** The SOP-guided MCTS reward: task completion + weight · rationality. */
export function sopReward(input: SopRewardInput): number {
  const weight = input.rationalityWeight ?? 1;
  return sopTaskCompletion(input.reached, input.completionRewards) + weight * rationalityScore(input.rationalitySamples);
}
