import type { Rng } from "@foresight/dialogue";
import type { SentenceEncoder } from "./encoder/types.js";
import type { MixtureModel, ScalarModel } from "./heads/runtime.js";

/** The learned parts of a semantic world model. */
export interface WorldModelParts {
  encoder: SentenceEncoder;
  /** s̃ → ã. */
  action: MixtureModel;
  /** (s̃, ã) → s̃′. */
  transition: MixtureModel;
  /** F_R(s̃). */
  reward: ScalarModel;
}

/** The outcome of a batch of simulated steps. */
export interface StepBatch {
  /** s̃′ [rows, dim]. */
  next: Float32Array;
  /** F_R of the state the step was scored on (s̃′, or s̃ + ã for the `action` form) [rows]; for the `difference` form, pass it back as `stateRewards` on the next step. */
  nextRewards: Float32Array;
  /** The step rewards [rows]: F_R(s̃′) − F_R(s̃), F_R(s̃′) or F_R(s̃ + ã), as the reward model's `stepReward` says. */
  rewards: Float32Array;
}

/**
 * How a reward model's F_R becomes a step reward (its manifest's `head.stepReward`): `difference` (the paper's
 * F_R(s̃′) − F_R(s̃), F_R a cumulative value), `next` (F_R(s̃′), F_R the reward of the reply that ends the state) or
 * `action` (F_R(s̃ + ã): F_R predicts the reward of the human's answer to the state after the agent's reply,
 * f(s + a) — the step's reward read from (s̃, ã) directly, not through a sampled s̃′).
 */
export type StepRewardForm = "difference" | "next" | "action";

const STEP_REWARD_FORMS: readonly StepRewardForm[] = ["difference", "next", "action"];

/** The step-reward form a reward model's manifest declares (`difference` when it declares none). */
export function stepRewardForm(reward: ScalarModel): StepRewardForm {
  const form = reward.model.manifest.head.stepReward ?? "difference";
  if (!STEP_REWARD_FORMS.includes(form as StepRewardForm)) throw new Error(`${reward.model.manifestPath}: head.stepReward must be one of ${STEP_REWARD_FORMS.map((f) => `"${f}"`).join(", ")}, got ${JSON.stringify(form)}`);
  return form as StepRewardForm;
}

/** +1, or −1 for a model of a cost (harmfulness): the manifest's `head.sign` (default +1), checked. */
export function rewardSign(reward: ScalarModel): 1 | -1 {
  const sign = reward.model.manifest.head.sign ?? 1;
  if (sign !== 1 && sign !== -1) throw new Error(`${reward.model.manifestPath}: head.sign must be 1 or -1, got ${JSON.stringify(sign)}`);
  return sign;
}

/** The step rewards of a batch and the F_R values they were read from. */
export interface ScoredSteps {
  /** F_R of the state each step was scored on: s̃′, or s̃ + ã for the `action` form [rows]. */
  nextRewards: Float32Array;
  /** The step rewards, times the model's sign [rows]. */
  rewards: Float32Array;
}

/** Scores a batch of steps (row-major [rows, dim]); see {@link stepScorer}. */
export type ScoreSteps = (states: Float32Array, next: Float32Array, rows: number, actions?: Float32Array, stateRewards?: Float32Array) => Promise<ScoredSteps>;

/** A reward model's step reward, its form and sign read and checked once. */
export interface StepScorer {
  readonly form: StepRewardForm;
  /** +1, or −1 for a model of a cost (harmfulness). */
  readonly sign: 1 | -1;
  readonly score: ScoreSteps;
}

/**
 * The one implementation of a reward model's step reward, in the form its manifest declares (`stepRewardForm`):
 * `difference` sign·(F_R(s̃′) − F_R(s̃)), `next` sign·F_R(s̃′), `action` sign·F_R(s̃ + ã). The form and sign are
 * checked here, once; `score` takes row-major [rows, dim] batches and makes one model call: `actions` are needed by
 * the `action` form only, and the `difference` form scores [s̃ rows | s̃′ rows] together unless `stateRewards`
 * (F_R(s̃), e.g. the previous step's `nextRewards`) is given, when it scores s̃′ alone.
 */
export function stepScorer(reward: ScalarModel): StepScorer {
  const form = stepRewardForm(reward);
  const sign = rewardSign(reward);
  const file = reward.model.manifestPath;
  const predict = (scored: Float32Array, rows: number) => reward.predict({ state: scored }, rows);
  const score: ScoreSteps = async (states, next, rows, actions, stateRewards) => {
    let nextRewards: Float32Array;
    let before: Float32Array | undefined;
    if (form === "action") {
      if (!actions) throw new Error(`${file}: its step reward is F_R(s̃ + ã) (head.stepReward "action"): pass the actions ã`);
      nextRewards = await predict(states.map((v, i) => v + (actions[i] as number)), rows);
    } else if (form === "next") {
      nextRewards = await predict(next, rows);
    } else if (stateRewards) {
      if (stateRewards.length !== rows) throw new Error(`stateRewards has ${stateRewards.length} values for ${rows} rows`);
      before = stateRewards;
      nextRewards = await predict(next, rows);
    } else {
      // One batched call for s̃ and s̃′: the halves must be the same size, or a short one would be read from the other.
      if (states.length !== next.length) throw new Error(`states has ${states.length} values but next has ${next.length}`);
      const both = new Float32Array(states.length + next.length);
      both.set(states);
      both.set(next, states.length);
      const values = await predict(both, 2 * rows);
      before = values.subarray(0, rows);
      nextRewards = values.subarray(rows);
    }
    const rewards = before === undefined && sign === 1 ? nextRewards : new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      const value = before === undefined ? (nextRewards[i] as number) : (nextRewards[i] as number) - (before[i] as number);
      if (!Number.isFinite(value)) throw new Error(`${file}: non-finite reward for row ${i}`);
      if (rewards !== nextRewards) rewards[i] = sign * value;
    }
    return { nextRewards, rewards };
  };
  return { form, sign, score };
}

/**
 * SCOPE's semantic world model for planners: states are context embeddings s̃ = f(s), an agent reply a is the
 * direction ã = f(s + a) − f(s), the action model proposes ã, the transition model samples the human's answer as
 * s̃′, and the reward is F_R(s̃′) − F_R(s̃). Every method is batched; sampling uses the generator passed in.
 */
export class SemanticWorldModel {
  /** The embedding dimension. */
  readonly dim: number;
  /** How the reward model's values become step rewards. */
  readonly rewardForm: StepRewardForm;

  constructor(readonly parts: WorldModelParts) {
    const dim = parts.encoder.dim;
    for (const [label, model] of [["action", parts.action], ["transition", parts.transition]] as const) {
      if (model.outDim !== dim) throw new Error(`${label} model predicts ${model.outDim} dims, the encoder gives ${dim}`);
    }
    if (parts.action.inputs.length !== 1 || parts.action.inputs[0]?.name !== "state") throw new Error('action model must take one input "state"');
    if (parts.transition.inputs.map((i) => i.name).join(",") !== "state,action") throw new Error('transition model must take inputs "state", "action"');
    if (parts.reward.inputs.length !== 1 || parts.reward.inputs[0]?.name !== "state") throw new Error('reward model must take one input "state"');
    for (const [label, model] of [["action", parts.action], ["transition", parts.transition], ["reward", parts.reward]] as const) {
      const wrong = model.inputs.find((input) => input.dim !== dim);
      if (wrong) throw new Error(`${label} model input "${wrong.name}" has ${wrong.dim} dims, the encoder gives ${dim}`);
    }
    this.dim = dim;
    const scorer = stepScorer(parts.reward);
    this.rewardForm = scorer.form;
    this.rewardSign = scorer.sign;
    this.scoreSteps = scorer.score;
  }

  /** +1, or −1 for a model of a cost (harmfulness): step rewards are multiplied by it. */
  readonly rewardSign: 1 | -1;
  /** The reward model's step reward, its form and sign checked by the constructor. */
  private readonly scoreSteps: ScoreSteps;

  /** s̃ for each context (turns oldest first): [n, dim]. */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    return this.parts.encoder.embedContexts(contexts);
  }

  /**
   * s̃ = f(s) of one context and ã = f(s + a) − f(s) of each candidate reply, from one batched encoder call (so the
   * state a search starts from is the very row its actions are measured from): state [dim], actions [candidates, dim].
   */
  async stateAndActions(context: readonly string[], candidates: readonly string[]): Promise<{ state: Float32Array; actions: Float32Array }> {
    const embedded = await this.embedContexts([context, ...candidates.map((c) => [...context, c])]);
    const d = this.dim;
    const actions = new Float32Array(candidates.length * d);
    for (let i = 0; i < candidates.length; i++) {
      for (let j = 0; j < d; j++) actions[i * d + j] = (embedded[(i + 1) * d + j] as number) - (embedded[j] as number);
    }
    return { state: embedded.slice(0, d), actions };
  }

  /** ã = f(s + a) − f(s) for each candidate reply to one context: [candidates, dim]. */
  async actionVectors(context: readonly string[], candidates: readonly string[]): Promise<Float32Array> {
    return (await this.stateAndActions(context, candidates)).actions;
  }

  /** m sampled actions per state: [rows·m, dim], the actions of state r at rows r·m … r·m + m − 1. */
  sampleActions(states: Float32Array, rows: number, m: number, rng: Rng): Promise<Float32Array> {
    return this.parts.action.sample({ state: states }, rows, rng, m);
  }

  /** One sampled next state per (state, action) row: [rows, dim]. */
  sampleNextStates(states: Float32Array, actions: Float32Array, rows: number, rng: Rng): Promise<Float32Array> {
    return this.parts.transition.sample({ state: states, action: actions }, rows, rng, 1);
  }

  /** F_R(s̃) per row. */
  stateRewards(states: Float32Array, rows: number): Promise<Float32Array> {
    return this.parts.reward.predict({ state: states }, rows);
  }

  /**
   * Samples s̃′ for each (s̃, ã) and returns the step rewards in the reward model's form (`stepScorer`). Pass `stateRewards` (F_R(s̃), e.g. the previous step's `nextRewards`) to skip recomputing it.
   */
  async step(states: Float32Array, actions: Float32Array, rows: number, rng: Rng, stateRewards?: Float32Array): Promise<StepBatch> {
    const next = await this.sampleNextStates(states, actions, rows, rng);
    return { next, ...(await this.scoreSteps(states, next, rows, actions, stateRewards)) };
  }
}
