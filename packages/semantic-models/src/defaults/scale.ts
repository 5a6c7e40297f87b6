import type { Dialogue } from "@foresight/dialogue";

/** Sizes and budgets of the default models' training; the test suite uses a tiny one. */
export interface TrainScale {
  /** Hash buckets and embedding dimension of the encoder. */
  buckets: number;
  dim: number;
  /** Randomized subspace iterations of the closed-form encoder fit. */
  encoderIterations: number;
  /** Whitening prior of the encoder fit. */
  whitenPrior: number;
  /** Weight of a context turn relative to the next one (older turns fade geometrically). */
  turnDecay: number;
  /** Keep at most this many dialogues per corpus and split part (undefined: all). */
  maxDialogues?: number;
  /** Cap on training examples for the heads (sampled with the seed). */
  maxHeadExamples: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  ensembleMembers: number;
  mdnComponents: number;
  valueHidden: number[];
  valueEpochs: number;
  valueLearningRate: number;
  /** Minibatch of the value head (its own: the committed value models were trained at 256, the SCOPE heads at 512). */
  valueBatchSize: number;
  /** Test queries of the retrieval metric. */
  retrievalQueries: number;
  /**
   * SCOPE steps simulated in the mismatched chat world (its half of the train dialogues) added to the heads' training
   * data; a fifth as many more, simulated with another seed, are the held-out within-context check.
   */
  simulatedSteps: number;
}

/** The scale of the committed default models (a few minutes on 2 CPU cores). */
export const DEFAULT_TRAIN_SCALE: TrainScale = {
  buckets: 16384,
  dim: 96,
  encoderIterations: 3,
  whitenPrior: 1,
  turnDecay: 0.6,
  maxHeadExamples: 40000,
  hidden: [128],
  epochs: 5,
  batchSize: 512,
  learningRate: 0.003,
  ensembleMembers: 4,
  mdnComponents: 5,
  valueHidden: [],
  valueEpochs: 20,
  valueLearningRate: 0.01,
  valueBatchSize: 256,
  retrievalQueries: 3000,
  simulatedSteps: 4000,
};

/** A tiny scale for end-to-end tests (seconds). */
export const TINY_TRAIN_SCALE: TrainScale = {
  buckets: 512,
  dim: 8,
  encoderIterations: 2,
  whitenPrior: 0.1,
  turnDecay: 0.6,
  maxDialogues: 40,
  maxHeadExamples: 300,
  hidden: [16],
  epochs: 2,
  batchSize: 64,
  learningRate: 0.005,
  ensembleMembers: 2,
  mdnComponents: 2,
  valueHidden: [8],
  valueEpochs: 2,
  valueLearningRate: 0.01,
  valueBatchSize: 64,
  retrievalQueries: 120,
  simulatedSteps: 40,
};

/** The first `max` dialogues (all when `max` is undefined). */
export function capDialogues<T extends Dialogue>(dialogues: T[], max: number | undefined): T[] {
  return max === undefined ? dialogues : dialogues.slice(0, max);
}
