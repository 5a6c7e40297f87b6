import { MULTIWOZ_VALUE_ACT_DIM, MULTIWOZ_VALUE_STATE_DIM, type MultiWozValueRow } from "@foresight/llm-sim";
import { concatInputs } from "../heads/mixture.js";
import { scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { checkScalarModel } from "../heads/consistency.js";
import { ModelLoadError, type Manifest } from "../manifest.js";
import { expectKind, verifyModelFile } from "../model-file.js";
import { normalizeRows } from "../mlp.js";
import { brierScore, round4 } from "../train/metrics.js";
import type { LossFn } from "../train/network.js";
import { trainNetwork } from "../train/network.js";
import { tf } from "../train/tf.js";
import { MULTIWOZ_VALUE_FEATURES_ID, logValueMetrics, saveValueModel, valueModelMetrics, valueMetricsManifest, valueRowsData, type ValueModelMetrics } from "./train-value.js";

/** One (h, a, Q_MCTS) target from a planning trace, as value features: Q ∈ [0, 1] is the backed-up mean value. */
export interface DistillationTarget {
  state: Float32Array;
  act: Float32Array;
  q: number;
}

/** A MultiWOZ value model loaded for pure-TypeScript evaluation, with its manifest. */
export interface LoadedValueModel {
  spec: ScalarHeadSpec;
  manifest: Manifest;
  manifestPath: string;
}

/** Loads and verifies a MultiWOZ value model (kind `value`, features {@link MULTIWOZ_VALUE_FEATURES_ID}). */
export function loadMultiWozValueModel(manifestPath: string): LoadedValueModel {
  const verified = verifyModelFile(manifestPath);
  expectKind(verified.manifest, "value", manifestPath);
  if (verified.manifest.head.features !== MULTIWOZ_VALUE_FEATURES_ID) {
    throw new ModelLoadError(manifestPath, `has value features "${String(verified.manifest.head.features)}", not "${MULTIWOZ_VALUE_FEATURES_ID}"; retrain it with \`foresight train value\``, "head.features");
  }
  if (verified.manifest.dims.state !== MULTIWOZ_VALUE_STATE_DIM || verified.manifest.dims.act !== MULTIWOZ_VALUE_ACT_DIM) {
    throw new ModelLoadError(manifestPath, `takes ${verified.manifest.dims.state}+${verified.manifest.dims.act} features, this build computes ${MULTIWOZ_VALUE_STATE_DIM}+${MULTIWOZ_VALUE_ACT_DIM}`, "dims");
  }
  return { spec: checkScalarModel(verified), manifest: verified.manifest, manifestPath };
}

/**
 * The combined objective of Eq. 29 on a batch whose targets are [target, isMcts]: seed rows (isMcts = 0) contribute
 * binary cross-entropy on γ^(T−t)·y (Eq. 12), MCTS rows (isMcts = 1) β·(σ(logit) − Q)² (Eq. 28).
 */
export function valueDistillLoss(beta: number): LossFn {
  return (logits, target) => {
    const y = tf.slice(target, [0, 0], [-1, 1]);
    const isMcts = tf.slice(target, [0, 1], [-1, 1]);
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const squared = tf.mul(tf.square(tf.sub(tf.sigmoid(logits), y)), beta);
    return tf.mean(tf.add(tf.mul(tf.sub(1, isMcts), bce), tf.mul(isMcts, squared)));
  };
}

/** Options of one self-distillation round. */
export interface DistillOptions {
  /** The value model to start from. */
  model: LoadedValueModel;
  /** D_seed: the seed rows (corpus + simulated rollouts of train goals). */
  seedRows: readonly MultiWozValueRow[];
  /** D_MCTS: (h, a, Q_MCTS) from planning traces on train goals. */
  targets: readonly DistillationTarget[];
  /** Held-out rows for the round's metrics. */
  testRows: readonly MultiWozValueRow[];
  /** β of Eq. 29 (default 1, the paper's). */
  beta?: number;
  epochs: number;
  learningRate?: number;
  batchSize?: number;
  seed: number;
  log?: (line: string) => void;
}

/**
 * One flywheel update (Alg. 2, line 4): fine-tunes the value model from its own weights and normalisation on
 * D_seed ∪ D_MCTS with L_total = L_value + β·L_distill (Eq. 28–29) and reports held-out metrics before and after.
 */
export async function distillValueModel(options: DistillOptions): Promise<{ spec: ScalarHeadSpec; before: ValueModelMetrics; after: ValueModelMetrics; mctsBrierBefore: number; mctsBrierAfter: number }> {
  if (options.targets.length === 0) throw new Error("distillValueModel: no (h, a, Q) targets");
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`beta must be ≥ 0, got ${beta}`);
  const base = options.model.spec;
  const seed = valueRowsData(options.seedRows);
  const mcts = valueRowsData(options.targets.map((t, i) => ({ goalId: `trace-${i}`, source: "mcts", state: t.state, act: t.act, target: t.q, success: t.q >= 0.5, turn: 0 })));
  const rows = seed.rows + mcts.rows;
  const state = new Float32Array(rows * MULTIWOZ_VALUE_STATE_DIM);
  state.set(seed.values.state!, 0);
  state.set(mcts.values.state!, seed.values.state!.length);
  const act = new Float32Array(rows * MULTIWOZ_VALUE_ACT_DIM);
  act.set(seed.values.act!, 0);
  act.set(mcts.values.act!, seed.values.act!.length);
  const targets = new Float32Array(rows * 2);
  for (let i = 0; i < seed.rows; i++) targets[2 * i] = seed.target[i]!;
  for (let i = 0; i < mcts.rows; i++) {
    targets[2 * (seed.rows + i)] = mcts.target[i]!;
    targets[2 * (seed.rows + i) + 1] = 1;
  }
  const test = valueRowsData(options.testRows);
  const before = valueModelMetrics(scalarForward(base, test.values, test.rows), options.testRows, options.seedRows);
  const mctsBrierBefore = brierScore(scalarForward(base, mcts.values, mcts.rows), mcts.target);
  const x = normalizeRows(concatInputs(base.inputs, { state, act }, rows), rows, base.inputNorm);
  const network = await trainNetwork(
    { rows, inputs: x, targets },
    {
      sizes: [x.length / rows, ...base.network.layers.slice(0, -1).map((layer) => layer.outDim), 1],
      hidden: base.network.layers[0]!.activation,
      loss: valueDistillLoss(beta),
      epochs: options.epochs,
      batchSize: options.batchSize ?? 256,
      learningRate: options.learningRate ?? 1e-3,
      seed: options.seed,
      init: base.network,
      onEpoch: (epoch, loss) => options.log?.(`  distill epoch ${epoch + 1}: loss ${loss.toFixed(4)}`),
    },
  );
  const spec: ScalarHeadSpec = { ...base, network };
  const after = valueModelMetrics(scalarForward(spec, test.values, test.rows), options.testRows, options.seedRows);
  const mctsBrierAfter = brierScore(scalarForward(spec, mcts.values, mcts.rows), mcts.target);
  options.log?.(`distill: Brier on ${mcts.rows} MCTS targets ${mctsBrierBefore.toFixed(4)} → ${mctsBrierAfter.toFixed(4)}`);
  if (options.log) logValueMetrics(options.log, "distilled", after);
  return { spec, before, after, mctsBrierBefore, mctsBrierAfter };
}

/** Saves a distilled value model with the metrics of every flywheel round (`round<r>:<metric>`). */
export function saveDistilledValueModel(options: {
  outDir: string;
  name: string;
  spec: ScalarHeadSpec;
  from: LoadedValueModel;
  rounds: { after: ValueModelMetrics; targets: number; extra?: Record<string, number> }[];
  seed: number;
  beta: number;
  epochs: number;
  command: string;
  /** Settings of the collecting searches, recorded with the training hyperparameters. */
  collecting?: Record<string, number>;
}): Manifest {
  const metrics: Record<string, number> = { ...valueMetricsManifest(options.rounds[options.rounds.length - 1]!.after) };
  options.rounds.forEach((round, i) => {
    Object.assign(metrics, valueMetricsManifest(round.after, `round${i + 1}:`));
    metrics[`round${i + 1}:mctsTargets`] = round.targets;
    for (const [key, value] of Object.entries(round.extra ?? {})) metrics[`round${i + 1}:${key}`] = round4(value);
  });
  const training = options.from.manifest.training;
  return saveValueModel(options.outDir, options.name, options.spec, {
    description: `${options.from.manifest.description} Self-distilled for ${options.rounds.length} flywheel round(s) on SMCTS-TOD planning traces (Eq. 28–29).`,
    training: {
      ...training,
      method: `${training.method}; then ${options.rounds.length} flywheel round(s): L_value + β·MSE to Q_MCTS on D_seed ∪ D_MCTS (Eq. 29)`,
      examples: { ...training.examples, mctsTargets: options.rounds.reduce((sum, r) => sum + r.targets, 0) },
      seed: options.seed,
      hyperparameters: { ...training.hyperparameters, beta: options.beta, distillEpochs: options.epochs, rounds: options.rounds.length, ...options.collecting },
      command: options.command,
    },
    metrics,
  });
}
