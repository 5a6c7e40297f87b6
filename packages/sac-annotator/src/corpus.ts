import { createRng, loadDailyDialog, loadMultiWoz, loadPersuasionForGood, loadSopdailDialogues, type Dialogue } from "@foresight/dialogue";

/** The corpora the annotator can read, by their command-line names. */
export const SAC_CORPORA = ["dailydialog", "p4g", "multiwoz", "sopdail"] as const;
export type SacCorpus = (typeof SAC_CORPORA)[number];

/** True when `name` is one of {@link SAC_CORPORA}. */
export function isSacCorpus(name: string): name is SacCorpus {
  return (SAC_CORPORA as readonly string[]).includes(name);
}

/** Options for {@link loadSacCorpus}. */
export interface LoadSacCorpusOptions {
  /** The shared data folder (default: `resolveDataDir()`). */
  dataDir?: string;
  /** Keep this many dialogues (all when absent or 0). */
  limit?: number;
  /** Shuffle with this seed before taking `limit` (corpus order when absent). */
  seed?: number;
}

function loadAll(corpus: SacCorpus, dataDir: string | undefined): Dialogue[] {
  switch (corpus) {
    case "dailydialog":
      return loadDailyDialog({ dataDir });
    case "p4g":
      return loadPersuasionForGood({ dataDir, part: "full" });
    case "multiwoz":
      return loadMultiWoz({ dataDir });
    case "sopdail":
      return loadSopdailDialogues({ dataDir });
  }
}

/** Returns a copy of `items` in a seeded random order (Fisher–Yates). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = createRng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Loads a corpus through `@foresight/dialogue` (PersuasionForGood: the full release, 967 dialogues) and selects
 * dialogues: all in corpus order, or a seeded sample, cut to `limit`. The same options select the same dialogues,
 * which is what makes a re-run resume.
 */
export function loadSacCorpus(corpus: SacCorpus, options: LoadSacCorpusOptions = {}): Dialogue[] {
  const all = loadAll(corpus, options.dataDir);
  const ordered = options.seed === undefined ? all : seededShuffle(all, options.seed);
  return options.limit ? ordered.slice(0, options.limit) : ordered;
}
