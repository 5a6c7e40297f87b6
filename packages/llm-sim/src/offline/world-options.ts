import type { Dialogue, SplitRatios } from "@foresight/dialogue";

/** What every corpus world's `build` takes: where the corpus is (or its dialogues) and how to split it. */
export interface CorpusWorldOptions {
  /** The shared data folder (default: `resolveDataDir()`). */
  dataDir?: string;
  /** Use these dialogues of the corpus instead of loading them (e.g. a fixture). */
  dialogues?: readonly Dialogue[];
  /** The seed of the train/test split (default: the world's own, e.g. `P4G_SPLIT_SEED`). */
  splitSeed?: number;
  /** The shares of the split (default: the world's own, e.g. `P4G_SPLIT_RATIOS`). */
  splitRatios?: SplitRatios;
}
