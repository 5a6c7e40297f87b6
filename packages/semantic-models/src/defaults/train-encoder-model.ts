import { createRng, DEFAULT_SPLIT_RATIOS } from "@foresight/dialogue";
import { fitCcaEncoder } from "../encoder/cca.js";
import { retrievalMetrics, rowDot } from "../encoder/evaluate.js";
import { hashedFeatures, sparseDot, STRUCTURE_FEATURES, type HashedFeatureConfig, type SparseVector } from "../encoder/features.js";
import { buildEmbeddingBagGraph, embeddingBagForward } from "../encoder/hashed-graph.js";
import { packSparse } from "../encoder/features.js";
import { contextResponsePairs, DEFAULT_SPLIT_SEED, loadOpenChatCorpus } from "../data/open-chat.js";
import { loadMultiWoz, splitDialogues } from "@foresight/dialogue";
import type { Manifest } from "../manifest.js";
import { saveModel } from "../model-file.js";
import { round4 } from "../train/metrics.js";
import { DEFAULT_MODEL_NAMES } from "./load.js";
import { capDialogues, DEFAULT_TRAIN_SCALE, type TrainScale } from "./scale.js";

/** Where and how a default model is trained. */
export interface TrainJob {
  outDir: string;
  seed: number;
  dataDir?: string;
  splitSeed?: number;
  scale?: TrainScale;
  log?: (line: string) => void;
  /** The command line recorded in manifests. */
  command?: string;
  /** A text harmfulness scorer (probability in [0, 1]) for the harmfulness head; the head is skipped without one. */
  harmfulness?: (text: string) => number;
  /** The scorer's name, recorded in the harmfulness head's manifest. */
  harmfulnessName?: string;
  /** Simulated SCOPE steps added to the heads' training data (default: the scale's `simulatedSteps`; 0: none). */
  simulatedSteps?: number;
  /**
   * How "value" and "all" train the MultiWOZ value model (default: the seed value model alone, `trainValueModel`).
   * The CLI passes SMCTS-TOD's flywheel (in `@foresight/planners`), which writes the committed value models.
   */
  trainValue?: (job: TrainJob) => Promise<Manifest[]>;
}

/** The split description recorded in manifests. */
export function splitInfo(job: TrainJob) {
  return { seed: job.splitSeed ?? DEFAULT_SPLIT_SEED, ...DEFAULT_SPLIT_RATIOS, by: "splitDialogues (deduplicated: copies and shared openings on one side)" };
}

/**
 * The contexts kept by the encoder: the whole history (up to 64 turns, more than any corpus dialogue has), each
 * older turn at `scale.turnDecay` of the weight of the next, so the latest turns dominate but earlier topics stay.
 */
export function encoderFeatureConfig(scale: TrainScale): HashedFeatureConfig {
  return { buckets: scale.buckets, bigrams: true, turnDecay: scale.turnDecay, maxTurns: 64 };
}

/** TF-IDF reweighting of L2-normalised sparse vectors: idf = log((1 + N) / (1 + df)) + 1 from `documents`. */
function tfIdf(documents: readonly SparseVector[]): (v: SparseVector) => SparseVector {
  const df = new Map<number, number>();
  for (const doc of documents) for (const i of doc.indices) df.set(i, (df.get(i) ?? 0) + 1);
  const n = documents.length;
  return (v) => {
    const values = v.values.map((x, k) => x * (Math.log((1 + n) / (1 + (df.get(v.indices[k] as number) ?? 0))) + 1));
    const norm = Math.hypot(...values) || 1;
    return { indices: v.indices, values: values.map((x) => x / norm) };
  };
}

/**
 * Trains the default encoder in closed form (symmetric whitened CCA between contexts and next utterances, see
 * `fitCcaEncoder`) on the train parts of DailyDialog, PersuasionForGood and MultiWOZ, and reports next-utterance
 * recall@1 among 100 distractors on DailyDialog's test part against the hashed bag-of-words baseline.
 */
export async function trainDefaultEncoder(job: TrainJob): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const log = job.log ?? (() => {});
  const splitSeed = job.splitSeed ?? DEFAULT_SPLIT_SEED;
  const corpus = loadOpenChatCorpus({ ...(job.dataDir ? { dataDir: job.dataDir } : {}), splitSeed });
  const multiwoz = splitDialogues(loadMultiWoz(job.dataDir ? { dataDir: job.dataDir } : {}), { seed: splitSeed });
  const config = encoderFeatureConfig(scale);
  const trainDialogues = [
    ...capDialogues(corpus.dailyDialog.train, scale.maxDialogues),
    ...capDialogues(corpus.persuasion.train, scale.maxDialogues),
    ...capDialogues(multiwoz.train, scale.maxDialogues),
  ];
  const trainPairs = contextResponsePairs(trainDialogues, config.maxTurns).map((p) => ({
    context: hashedFeatures(p.context, config),
    response: hashedFeatures(p.response, config),
  }));
  log(`encoder: ${trainPairs.length} (context, next utterance) training pairs from ${trainDialogues.length} dialogues`);
  const started = Date.now();
  const spec = fitCcaEncoder(
    trainPairs,
    { buckets: scale.buckets, dim: scale.dim, oversample: Math.min(16, scale.dim), iterations: scale.encoderIterations, whitenPrior: scale.whitenPrior, eigenPower: 0 },
    createRng(job.seed).fork("encoder"),
  );
  log(`encoder: fitted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const testDialogues = capDialogues(corpus.dailyDialog.test, scale.maxDialogues === undefined ? undefined : scale.maxDialogues * 4);
  const rng = createRng(job.seed).fork("retrieval");
  const testPairs = contextResponsePairs(testDialogues, config.maxTurns);
  const sample = testPairs.filter(() => rng.next() < Math.min(1, (scale.retrievalQueries * 1.2) / Math.max(testPairs.length, 1))).slice(0, scale.retrievalQueries);
  const contexts = sample.map((p) => hashedFeatures(p.context, config));
  const responses = sample.map((p) => hashedFeatures(p.response, config));
  const learnedC = embeddingBagForward(spec, packSparse(contexts));
  const learnedR = embeddingBagForward(spec, packSparse(responses));
  const learned = retrievalMetrics(sample.length, 100, createRng(job.seed).fork("distractors"), (q, c) => rowDot(learnedC, q, learnedR, c, spec.dim));
  const bowConfig = { ...config, buckets: 1 << 22 };
  const bowC = sample.map((p) => hashedFeatures(p.context, bowConfig));
  const bowR = sample.map((p) => hashedFeatures(p.response, bowConfig));
  const baseline = retrievalMetrics(sample.length, 100, createRng(job.seed).fork("distractors"), (q, c) => sparseDot(bowC[q] as never, bowR[c] as never));
  const dailyTrain = contextResponsePairs(capDialogues(corpus.dailyDialog.train, scale.maxDialogues), config.maxTurns);
  const weigh = tfIdf(dailyTrain.flatMap((p) => [hashedFeatures(p.context, bowConfig), hashedFeatures(p.response, bowConfig)]));
  const tfIdfC = bowC.map(weigh);
  const tfIdfR = bowR.map(weigh);
  const tfIdfBaseline = retrievalMetrics(sample.length, 100, createRng(job.seed).fork("distractors"), (q, c) => sparseDot(tfIdfC[q] as never, tfIdfR[c] as never));
  log(
    `encoder: recall@1 ${learned.recallAt1.toFixed(3)} vs TF-IDF ${tfIdfBaseline.recallAt1.toFixed(3)} and hashed bag-of-words ${baseline.recallAt1.toFixed(3)} (${sample.length} DailyDialog test queries, unseen openings, 100 distractors)`,
  );
  const model = buildEmbeddingBagGraph(spec, "Foresight default sentence encoder: hashed word/bigram features → whitened-CCA projection → L2 norm");
  return saveModel(job.outDir, model, {
    name: DEFAULT_MODEL_NAMES.encoder,
    kind: "hashed-encoder",
    description:
      "Hashed unigram+bigram features of the whole history (computed in TypeScript, see head.features) projected to dims.embedding by a table fitted in closed form (symmetric whitened CCA between contexts and their next utterances), L2-normalised; the state appends head.structure (turn lengths in cl100k tokens, who spoke last, turns, question) computed in TypeScript, dims.state in all.",
    dims: { buckets: spec.buckets, embedding: spec.dim, state: spec.dim + STRUCTURE_FEATURES.length },
    normalisation: {},
    head: {
      features: config,
      tokenizer: "tokenizeWords + FNV-1a (w:/b: prefixes) mod buckets",
      structure: [...STRUCTURE_FEATURES],
      structureTokens: "cl100k_base (log 1 + n)",
      eigenvalues: spec.eigenvalues.slice(0, 8).map(round4),
    },
    training: {
      corpora: ["dailydialog", "p4g/full", "multiwoz/val"],
      split: splitInfo(job),
      trainedOn: "train",
      evaluatedOn: "test (DailyDialog; deduplicated split, so every test opening is unseen in training)",
      examples: { trainPairs: trainPairs.length, testQueries: sample.length },
      seed: job.seed,
      method: "closed-form symmetric whitened CCA (randomized subspace iteration + Rayleigh-Ritz)",
      hyperparameters: { whitenPrior: scale.whitenPrior, iterations: scale.encoderIterations, oversample: Math.min(16, scale.dim), eigenPower: 0 },
      command: job.command ?? `foresight train encoder --seed ${job.seed}`,
    },
    metrics: {
      recallAt1: round4(learned.recallAt1),
      recallAt10: round4(learned.recallAt10),
      mrr: round4(learned.meanReciprocalRank),
      baselineBowRecallAt1: round4(baseline.recallAt1),
      baselineBowRecallAt10: round4(baseline.recallAt10),
      baselineBowMrr: round4(baseline.meanReciprocalRank),
      baselineTfIdfRecallAt1: round4(tfIdfBaseline.recallAt1),
      baselineTfIdfRecallAt10: round4(tfIdfBaseline.recallAt10),
      baselineTfIdfMrr: round4(tfIdfBaseline.meanReciprocalRank),
      distractors: 100,
    },
  });
}
