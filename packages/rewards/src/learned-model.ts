import type { ScalarModel } from "@foresight/semantic-models";
import type { StateValueModel } from "./learned.js";

/** The dimension of a reward model's single `state` input; throws unless the model is a reward model F_R(s̃). */
function rewardStateDim(model: ScalarModel): number {
  const { manifest, manifestPath } = model.model;
  if (manifest.kind !== "reward") throw new Error(`${manifestPath}: expected a reward model F_R(s̃), found a ${manifest.kind} model`);
  const [input, ...rest] = model.inputs;
  if (!input || rest.length > 0 || input.name !== "state") {
    throw new Error(`${manifestPath}: a reward model takes one input "state", this one takes ${model.inputs.map((i) => i.name).join(", ")}`);
  }
  return input.dim;
}

function checkBatch(label: string, values: Float32Array, rows: number, dim: number): void {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a non-negative integer, got ${rows}`);
  if (values.length !== rows * dim) throw new Error(`${label}: expected ${rows}×${dim} values, got ${values.length}`);
}

/**
 * SCOPE's learned step reward F_R(s̃′) − F_R(s̃) from a `@foresight/semantic-models` reward model (e.g.
 * `loadDefaultRewardModel()`): `states` and `next` are row-major [rows, dim] embeddings, scored in one batched call.
 */
export async function semanticStepRewards(model: ScalarModel, states: Float32Array, next: Float32Array, rows: number): Promise<Float32Array> {
  const dim = rewardStateDim(model);
  checkBatch("states", states, rows, dim);
  checkBatch("next", next, rows, dim);
  const both = new Float32Array(2 * rows * dim);
  both.set(states);
  both.set(next, rows * dim);
  const values = await model.predict({ state: both }, 2 * rows);
  const rewards = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const before = values[i] as number;
    const after = values[rows + i] as number;
    if (!Number.isFinite(before) || !Number.isFinite(after)) throw new Error(`${model.model.manifestPath}: non-finite reward for row ${i} (${before} → ${after})`);
    rewards[i] = after - before;
  }
  return rewards;
}

/**
 * Adapts a `@foresight/semantic-models` reward model to {@link StateValueModel}, so that `learnedStepReward` and
 * `learnedStepRewards` run on it (each state a Float32Array of the model's input dimension; one batched call).
 */
export function semanticStateValueModel(model: ScalarModel): StateValueModel {
  const dim = rewardStateDim(model);
  return {
    async predict(states: Float32Array[]): Promise<number[]> {
      const packed = new Float32Array(states.length * dim);
      states.forEach((state, i) => {
        if (state.length !== dim) throw new Error(`state ${i} has ${state.length} dims, the reward model takes ${dim}`);
        packed.set(state, i * dim);
      });
      return Array.from(await model.predict({ state: packed }, states.length));
    },
  };
}
