import { loadMultiWoz, splitDialogues, CORPUS_SPLIT_SEED, type Dialogue, type MultiWozDialogue } from "@foresight/dialogue";
import {
  corpusMultiWozValueRows,
  loadMultiWozWorld,
  multiWozValueRolloutPolicies,
  simulatedMultiWozValueRows,
  MULTIWOZ_VALUE_ACT_DIM,
  MULTIWOZ_VALUE_ACT_FEATURES,
  MULTIWOZ_VALUE_STATE_DIM,
  MULTIWOZ_VALUE_STATE_FEATURES,
  type MultiWozValueRow,
  type MultiWozWorld,
} from "@foresight/llm-sim";
import { multiWozSuccess } from "../data/multiwoz-value.js";
import { buildScalarGraph, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { scalarManifestParts } from "../heads/serialize.js";
import type { Manifest } from "../manifest.js";
import { saveModel } from "../model-file.js";
import { trainProbabilityHead, type ScalarData } from "../train/heads.js";
import { brierScore, round4, rocAuc } from "../train/metrics.js";
import { DEFAULT_MODEL_NAMES } from "./load.js";
import { DEFAULT_TRAIN_SCALE } from "./scale.js";
import type { TrainJob } from "./train-encoder-model.js";

/** The discount of the value labels γ^(T−t)·y. */
export const VALUE_GAMMA = 0.95;

/** Identifies the value model's input features (`head.features` of its manifest); the planner refuses other models. */
export const MULTIWOZ_VALUE_FEATURES_ID = "multiwoz-state-act/1";

/** Hidden layer of the value MLP: the state × act interactions need one (a logistic model cannot rank acts per state). */
export const VALUE_HIDDEN = [64];

/** The value model's training and held-out rows: corpus and simulated rollouts on train goals, rollouts on test goals. */
export interface MultiWozValueRows {
  world: MultiWozWorld;
  train: MultiWozValueRow[];
  test: MultiWozValueRow[];
  trainGoals: number;
  testGoals: number;
}

/**
 * Builds the value rows on the project's deduplicated MultiWOZ split (`splitDialogues`): the train side's corpus
 * dialogues (y = {@link multiWozSuccess}) plus simulated rollouts of the train goals by several policies and both
 * user personas (y = the simulated user's goal complete); held out, rollouts of the test goals (never seen in
 * training). `maxDialogues` of the scale caps the goals per side.
 */
export function multiWozValueRows(job: Pick<TrainJob, "dataDir" | "seed" | "scale">, world?: MultiWozWorld): MultiWozValueRows {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const loaded = world ?? loadMultiWozWorld(job.dataDir ? { dataDir: job.dataDir } : {});
  const cap = <T>(items: T[]) => (scale.maxDialogues === undefined ? items : items.slice(0, scale.maxDialogues));
  const trainGoals = cap(loaded.goals.filter((goal) => goal.split === "train"));
  const testGoals = cap(loaded.goals.filter((goal) => goal.split === "test"));
  const corpus = cap(splitDialogues(loadMultiWoz(job.dataDir ? { dataDir: job.dataDir } : {}), { seed: CORPUS_SPLIT_SEED }).train);
  const policies = multiWozValueRolloutPolicies(loaded);
  const simulated = simulatedMultiWozValueRows(loaded, trainGoals, { policies, seed: job.seed, gamma: VALUE_GAMMA });
  const heldOut = simulatedMultiWozValueRows(loaded, testGoals, { policies, seed: job.seed + 7919, gamma: VALUE_GAMMA });
  const corpusRows = corpusMultiWozValueRows(loaded, corpus as unknown as Dialogue[], (d) => multiWozSuccess(d as unknown as MultiWozDialogue), VALUE_GAMMA);
  return { world: loaded, train: [...corpusRows, ...simulated.rows], test: heldOut.rows, trainGoals: trainGoals.length, testGoals: testGoals.length };
}

/** The value head's inputs for rows: `state` and `act` features, target γ^(T−t)·y. */
export function valueRowsData(rows: readonly MultiWozValueRow[]): ScalarData {
  const state = new Float32Array(rows.length * MULTIWOZ_VALUE_STATE_DIM);
  const act = new Float32Array(rows.length * MULTIWOZ_VALUE_ACT_DIM);
  rows.forEach((row, i) => {
    state.set(row.state, i * MULTIWOZ_VALUE_STATE_DIM);
    act.set(row.act, i * MULTIWOZ_VALUE_ACT_DIM);
  });
  return {
    inputs: [
      { name: "state", dim: MULTIWOZ_VALUE_STATE_DIM },
      { name: "act", dim: MULTIWOZ_VALUE_ACT_DIM },
    ],
    values: { state, act },
    target: Float32Array.from(rows.map((row) => row.target)),
    rows: rows.length,
  };
}

/** Mean V and success rate of one rollout policy on the held-out rows. */
export interface PolicyValueSummary {
  policy: string;
  success: number;
  meanV: number;
  dialogues: number;
}

/** Held-out metrics of a value model against the trivial predictors. */
export interface ValueModelMetrics {
  /** AUC of V(h_t, a_t) against the dialogue's success y. */
  auc: number;
  /** Brier score against the discounted targets γ^(T−t)·y. */
  brier: number;
  constantBrier: number;
  /** The best function of the turn index alone (train mean target per turn index). */
  turnIndexBrier: number;
  turnIndexAuc: number;
  policies: PolicyValueSummary[];
  /** Kendall's τ between the policies' success rates and their mean V (1: mean V orders the policies by success). */
  policyOrderTau: number;
  testRows: number;
}

function kendallTau(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const s = Math.sign(a[i]! - a[j]!) * Math.sign(b[i]! - b[j]!);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
    }
  }
  const pairs = (a.length * (a.length - 1)) / 2;
  return pairs === 0 ? 0 : (concordant - discordant) / pairs;
}

/** Evaluates predictions V on held-out rows against the constant and turn-index predictors fitted on `trainRows`. */
export function valueModelMetrics(predicted: ArrayLike<number>, test: readonly MultiWozValueRow[], trainRows: readonly MultiWozValueRow[]): ValueModelMetrics {
  const targets = test.map((row) => row.target);
  const labels = test.map((row) => (row.success ? 1 : 0));
  const constant = trainRows.reduce((sum, row) => sum + row.target, 0) / Math.max(1, trainRows.length);
  const byTurn = new Map<number, { sum: number; n: number }>();
  for (const row of trainRows) {
    const key = Math.min(row.turn, 15);
    const cell = byTurn.get(key) ?? { sum: 0, n: 0 };
    cell.sum += row.target;
    cell.n += 1;
    byTurn.set(key, cell);
  }
  const turnPrediction = test.map((row) => {
    const cell = byTurn.get(Math.min(row.turn, 15));
    return cell ? cell.sum / cell.n : constant;
  });
  const policies = [...new Set(test.map((row) => row.source))].map((policy) => {
    const rows = test.map((row, i) => ({ row, v: predicted[i]! })).filter(({ row }) => row.source === policy);
    const starts = rows.filter(({ row }) => row.turn === 1);
    return {
      policy,
      success: starts.filter(({ row }) => row.success).length / Math.max(1, starts.length),
      meanV: rows.reduce((sum, { v }) => sum + v, 0) / Math.max(1, rows.length),
      dialogues: starts.length,
    };
  });
  return {
    auc: rocAuc(predicted, labels),
    brier: brierScore(predicted, targets),
    constantBrier: brierScore(new Float32Array(test.length).fill(constant), targets),
    turnIndexBrier: brierScore(turnPrediction, targets),
    turnIndexAuc: rocAuc(turnPrediction, labels),
    policies,
    policyOrderTau: kendallTau(
      policies.map((p) => p.success),
      policies.map((p) => p.meanV),
    ),
    testRows: test.length,
  };
}

/** The manifest metrics of a value model (numbers only, rounded; per policy as `policy:<name>:success|meanV`), keys prefixed by `prefix`. */
export function valueMetricsManifest(metrics: ValueModelMetrics, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {
    auc: round4(metrics.auc),
    brier: round4(metrics.brier),
    constantBaselineBrier: round4(metrics.constantBrier),
    turnIndexBaselineBrier: round4(metrics.turnIndexBrier),
    turnIndexBaselineAuc: round4(metrics.turnIndexAuc),
    policyOrderTau: round4(metrics.policyOrderTau),
    testRows: metrics.testRows,
  };
  for (const p of metrics.policies) {
    out[`policy:${p.policy}:success`] = round4(p.success);
    out[`policy:${p.policy}:meanV`] = round4(p.meanV);
  }
  return Object.fromEntries(Object.entries(out).map(([key, value]) => [`${prefix}${key}`, value]));
}

/** Logs a value model's held-out metrics in one line plus one line per policy. */
export function logValueMetrics(log: (line: string) => void, label: string, m: ValueModelMetrics): void {
  log(
    `${label}: held-out AUC ${m.auc.toFixed(3)} (turn index ${m.turnIndexAuc.toFixed(3)}), Brier ${m.brier.toFixed(4)} (constant ${m.constantBrier.toFixed(4)}, turn index ${m.turnIndexBrier.toFixed(4)}), policy order τ ${m.policyOrderTau.toFixed(2)}`,
  );
  for (const p of [...m.policies].sort((a, b) => b.success - a.success)) log(`  ${p.policy}: success ${p.success.toFixed(3)}, mean V ${p.meanV.toFixed(3)} (${p.dialogues} dialogues)`);
}

/** The head metadata every MultiWOZ value manifest carries. */
export function multiWozValueHead(): Record<string, unknown> {
  return { features: MULTIWOZ_VALUE_FEATURES_ID, stateFeatures: [...MULTIWOZ_VALUE_STATE_FEATURES], actFeatures: [...MULTIWOZ_VALUE_ACT_FEATURES], gamma: VALUE_GAMMA };
}

/**
 * Trains SMCTS-TOD's value model V(h, a) ∈ [0, 1] on MultiWOZ (Eq. 9, 12): an MLP over the value features of the
 * history (tracked belief state, database results, act history) and the abstract act, binary cross-entropy on
 * γ^(T−t)·y, on corpus dialogues and simulated rollouts of several policies; evaluated on held-out goals.
 */
export async function trainValueModel(job: TrainJob, options: { name?: string; rows?: MultiWozValueRows } = {}): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const log = job.log ?? (() => {});
  const rows = options.rows ?? multiWozValueRows(job);
  const train = valueRowsData(rows.train);
  const test = valueRowsData(rows.test);
  const corpusRows = rows.train.filter((row) => row.source === "corpus").length;
  log(`value: ${train.rows} training rows (${corpusRows} corpus, ${train.rows - corpusRows} simulated on ${rows.trainGoals} train goals), ${test.rows} held-out rows on ${rows.testGoals} test goals`);
  const epochs = scale.valueEpochs;
  const learningRate = 0.003;
  const spec = await trainProbabilityHead(
    train,
    { hidden: VALUE_HIDDEN, activation: "relu", epochs, batchSize: scale.valueBatchSize, learningRate, weightDecay: 1e-5, seed: job.seed, onEpoch: (label, epoch, loss) => log(`  ${label} epoch ${epoch + 1}: loss ${loss.toFixed(4)}`) },
    "value",
  );
  const metrics = valueModelMetrics(scalarForward(spec, test.values, test.rows), rows.test, rows.train);
  logValueMetrics(log, "value", metrics);
  return saveValueModel(job.outDir, options.name ?? DEFAULT_MODEL_NAMES.value, spec, {
    description: "V(h, a) ∈ [0, 1]: discounted success estimate of taking system act type a after history h on MultiWOZ (inputs: head.stateFeatures of the tracked history and head.actFeatures of the abstract act, see @foresight/llm-sim's multiWozValueStateFeatures).",
    training: {
      corpora: ["multiwoz/val"],
      split: { seed: CORPUS_SPLIT_SEED, by: "splitDialogues (deduplicated)", train: 0.8, dev: 0.1, test: 0.1 },
      trainedOn: "train goals: corpus dialogues + simulated rollouts (policies: correct, correct-eps0.2, correct-eps0.5, prior, uniform, never-book; personas: cooperative, less-cooperative)",
      evaluatedOn: "test goals: simulated rollouts of the same policies and personas",
      examples: { train: train.rows, test: test.rows, corpus: corpusRows, trainGoals: rows.trainGoals, testGoals: rows.testGoals },
      seed: job.seed,
      method: "binary cross-entropy on γ^(T−t)·y (Eq. 12), Adam, TensorFlow.js",
      hyperparameters: { hidden: VALUE_HIDDEN.join("x"), epochs, learningRate, gamma: VALUE_GAMMA, weightDecay: 1e-5, batchSize: scale.valueBatchSize },
      command: job.command ?? `foresight train value --seed ${job.seed}`,
    },
    metrics: valueMetricsManifest(metrics),
  });
}

/** Saves a MultiWOZ value head as `<name>.onnx` + manifest with the common value metadata. */
export function saveValueModel(
  outDir: string,
  name: string,
  spec: ScalarHeadSpec,
  parts: { description: string; training: Manifest["training"]; metrics: Record<string, number> },
): Manifest {
  const serialized = scalarManifestParts(spec);
  return saveModel(outDir, buildScalarGraph(spec, "SMCTS-TOD value V(h, a) in [0, 1]"), {
    name,
    kind: "value",
    description: parts.description,
    dims: { state: MULTIWOZ_VALUE_STATE_DIM, act: MULTIWOZ_VALUE_ACT_DIM },
    ...serialized,
    head: { ...serialized.head, ...multiWozValueHead() },
    training: parts.training,
    metrics: parts.metrics,
  });
}
