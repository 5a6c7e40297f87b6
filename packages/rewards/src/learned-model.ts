import { stepScorer, type ScalarModel } from "@foresight/semantic-models";
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
 * SCOPE's learned step reward from a `@foresight/semantic-models` reward model (e.g. `loadDefaultRewardModel()`), in
 * the form its manifest declares (`head.stepReward`, as `SemanticWorldModel.step` uses it): `difference`
 * F_R(s̃′) − F_R(s̃), `next` F_R(s̃′), or `action` F_R(s̃ + ã) (the committed length model: the reward of the human's
 * answer, read from the state after the agent's reply), times `head.sign` (−1 for a cost such as harmfulness).
 * `states`, `next` and `actions` (ã = f(s + a) − f(s); needed by the `action` form only) are row-major [rows, dim];
 * `stepScorer` of `@foresight/semantic-models` computes them (the same code as `SemanticWorldModel.step`).
 */
export async function semanticStepRewards(model: ScalarModel, states: Float32Array, next: Float32Array, rows: number, actions?: Float32Array): Promise<Float32Array> {
  const dim = rewardStateDim(model);
  checkBatch("states", states, rows, dim);
  checkBatch("next", next, rows, dim);
  if (actions) checkBatch("actions", actions, rows, dim);
  return (await stepScorer(model).score(states, next, rows, actions)).rewards;
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
