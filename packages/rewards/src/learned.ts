/**
 * A learned reward model over semantic states: F_R(s̃) for each state embedding. A `@foresight/semantic-models`
 * reward model becomes one through `semanticStateValueModel`; any other model can implement it directly.
 */
export interface StateValueModel {
  predict(states: Float32Array[]): number[] | Promise<number[]>;
}

async function predictChecked(model: StateValueModel, states: Float32Array[]): Promise<number[]> {
  const values = await model.predict(states);
  if (values.length !== states.length) {
    throw new Error(`reward model returned ${values.length} values for ${states.length} states`);
  }
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new Error(`reward model returned a non-finite value (${values[bad]}) for state ${bad}`);
  return values;
}

/** SCOPE's learned step reward F_R(s̃′) − F_R(s̃), with one batched model call. */
export async function learnedStepReward(model: StateValueModel, state: Float32Array, next: Float32Array): Promise<number> {
  const [before, after] = await predictChecked(model, [state, next]);
  return after! - before!;
}

/** The learned step rewards along a trajectory s̃₀ … s̃ₙ (n values), with one batched model call. */
export async function learnedStepRewards(model: StateValueModel, trajectory: readonly Float32Array[]): Promise<number[]> {
  if (trajectory.length < 2) return [];
  const values = await predictChecked(model, [...trajectory]);
  return values.slice(1).map((value, i) => value - values[i]!);
}
