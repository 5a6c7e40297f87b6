import { loadMultiWoz, splitDialogues } from "@foresight/dialogue";
import type { HashedEncoder } from "../encoder/hashed-encoder.js";
import { actFeatures, buildActVocabulary, valueExamples, type ValueExample } from "../data/multiwoz-value.js";
import { DEFAULT_SPLIT_SEED } from "../data/open-chat.js";
import { buildScalarGraph, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { scalarManifestParts } from "../heads/serialize.js";
import type { Manifest } from "../manifest.js";
import { saveModel } from "../model-file.js";
import { trainProbabilityHead, type ScalarData } from "../train/heads.js";
import { brierScore, round4, rocAuc } from "../train/metrics.js";
import { DEFAULT_MODEL_NAMES } from "./load.js";
import { capDialogues, DEFAULT_TRAIN_SCALE } from "./scale.js";
import { splitInfo, type TrainJob } from "./train-encoder-model.js";

/** The discount of the value labels γ^(T−t)·y. */
export const VALUE_GAMMA = 0.95;

/** (history, act, target) rows for a value head: history embeddings, act multi-hots and targets. */
export async function valueData(encoder: HashedEncoder, examples: readonly ValueExample[], vocabulary: readonly string[]): Promise<ScalarData> {
  const history = await encoder.embedContexts(examples.map((e) => e.history));
  const act = new Float32Array(examples.length * vocabulary.length);
  examples.forEach((e, i) => act.set(actFeatures(e.acts, vocabulary), i * vocabulary.length));
  return {
    inputs: [
      { name: "history", dim: encoder.dim },
      { name: "act", dim: vocabulary.length },
    ],
    values: { history, act },
    target: Float32Array.from(examples.map((e) => e.target)),
    rows: examples.length,
  };
}

/** AUC against dialogue success and Brier score against the discounted targets. */
export function valueMetrics(spec: ScalarHeadSpec, data: ScalarData, examples: readonly ValueExample[]): { auc: number; brier: number } {
  const predicted = scalarForward(spec, data.values, data.rows);
  return { auc: rocAuc(predicted, examples.map((e) => (e.success ? 1 : 0))), brier: brierScore(predicted, data.target) };
}

/**
 * Trains V(h, a) ∈ [0, 1] for SMCTS-TOD on MultiWOZ: history embedding + system-act multi-hot → sigmoid, binary
 * cross-entropy on γ^(T−t)·y with y the dialogue's success (see `multiWozSuccess`).
 */
export async function trainValueModel(job: TrainJob, encoder: HashedEncoder): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const split = splitDialogues(loadMultiWoz(job.dataDir ? { dataDir: job.dataDir } : {}), { seed: job.splitSeed ?? DEFAULT_SPLIT_SEED });
  const trainDialogues = capDialogues(split.train, scale.maxDialogues);
  const testDialogues = capDialogues(split.test, scale.maxDialogues);
  const vocabulary = buildActVocabulary(trainDialogues, scale.maxDialogues === undefined ? 5 : 1);
  const trainExamples = valueExamples(trainDialogues, VALUE_GAMMA);
  const testExamples = valueExamples(testDialogues, VALUE_GAMMA);
  const train = await valueData(encoder, trainExamples, vocabulary);
  const test = await valueData(encoder, testExamples, vocabulary);
  job.log?.(`value: ${train.rows} training examples, ${vocabulary.length} act labels, ${trainDialogues.filter((d) => trainExamples.some((e) => e.dialogueId === d.id && e.success)).length}/${trainDialogues.length} successful train dialogues`);
  const log = job.log ?? (() => {});
  const spec = await trainProbabilityHead(
    train,
    {
      hidden: scale.valueHidden,
      activation: "relu",
      epochs: scale.valueEpochs,
      batchSize: scale.batchSize,
      learningRate: scale.valueLearningRate,
      weightDecay: 1e-4,
      seed: job.seed,
      onEpoch: (label, epoch, loss) => log(`  ${label} epoch ${epoch + 1}: loss ${loss.toFixed(4)}`),
    },
    "value",
  );
  const metrics = valueMetrics(spec, test, testExamples);
  const constant = train.target.reduce((a, b) => a + b, 0) / Math.max(train.rows, 1);
  const constantBrier = brierScore(new Float32Array(test.rows).fill(constant), test.target);
  job.log?.(`value: test AUC ${metrics.auc.toFixed(3)}, Brier ${metrics.brier.toFixed(4)} (constant predictor Brier ${constantBrier.toFixed(4)})`);
  return saveModel(job.outDir, buildScalarGraph(spec, "SMCTS-TOD value V(h, a) in [0, 1]"), {
    name: DEFAULT_MODEL_NAMES.value,
    kind: "value",
    description:
      "V(h, a) ∈ [0, 1]: discounted success estimate of taking system act a after history h (history = default encoder's context embedding; act = multi-hot over head.actVocabulary, see actFeatures).",
    dims: { history: encoder.dim, act: vocabulary.length },
    ...(() => {
      const parts = scalarManifestParts(spec);
      return { ...parts, head: { ...parts.head, actVocabulary: vocabulary, gamma: VALUE_GAMMA } };
    })(),
    training: {
      corpora: ["multiwoz/val"],
      split: splitInfo(job),
      trainedOn: "train",
      evaluatedOn: "test",
      examples: { train: train.rows, test: test.rows, trainDialogues: trainDialogues.length, testDialogues: testDialogues.length },
      seed: job.seed,
      method: `binary cross-entropy on γ^(T−t)·y, Adam, TensorFlow.js${scale.valueHidden.length === 0 ? " (linear logit: the hidden-layer MLPs measured worse on held-out Brier)" : ""}`,
      hyperparameters: { hidden: scale.valueHidden.length > 0 ? scale.valueHidden.join("x") : "none (logistic regression)", epochs: scale.valueEpochs, learningRate: scale.valueLearningRate, gamma: VALUE_GAMMA, weightDecay: 1e-4 },
      command: job.command ?? `foresight train value --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: encoder.sha256,
    },
    metrics: { auc: round4(metrics.auc), brier: round4(metrics.brier), constantBaselineBrier: round4(constantBrier), testExamples: test.rows },
  });
}
