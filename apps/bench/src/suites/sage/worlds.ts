import { loadDailyDialog, resolveDataDir, splitDialogues, type Dialogue } from "@foresight/dialogue";
import { SacCorpusWorld, seededShuffle } from "@foresight/sac-annotator";

/** The seed that halves the training dialogues for the mismatched world (a different hash from the corpus split's). */
export const HALVING_SEED = 2;

/** The SAGE suite's data: the project's DailyDialog split and the worlds built on its training side. */
export interface SageData {
  train: Dialogue[];
  /** Held-out dialogues; their openings are the self-play seed situations. */
  test: Dialogue[];
  /** Planning model and judge world in one: every training dialogue. */
  full: SacCorpusWorld;
  /** Mismatched: the agent and selector know half A, the simulated user is built from half B. */
  halfA: SacCorpusWorld;
  halfB: SacCorpusWorld;
}

const cache = new Map<string, { train: Dialogue[]; test: Dialogue[]; worlds: Map<string, SacCorpusWorld>; seedOrder?: Dialogue[] }>();

function corpus(dataDir: string | undefined) {
  const dir = resolveDataDir(dataDir);
  let entry = cache.get(dir);
  if (!entry) {
    const split = splitDialogues(loadDailyDialog({ dataDir: dir }));
    entry = { train: split.train, test: split.test, worlds: new Map() };
    cache.set(dir, entry);
  }
  return entry;
}

/** The held-out dialogues (the split's test side), loaded once per data folder. */
export function heldOutDialogues(dataDir?: string): Dialogue[] {
  return corpus(dataDir).test;
}

/** The training dialogues (the split's train side). */
export function trainingDialogues(dataDir?: string): Dialogue[] {
  return corpus(dataDir).train;
}

/** A world of the suite, built on first use and kept for the process: "full", "halfA" or "halfB". */
export function sageWorld(name: "full" | "halfA" | "halfB", dataDir?: string): SacCorpusWorld {
  const entry = corpus(dataDir);
  let world = entry.worlds.get(name);
  if (!world) {
    let dialogues = entry.train;
    if (name !== "full") {
      const halves = splitDialogues(entry.train, { seed: HALVING_SEED, ratios: { train: 0.5, dev: 0, test: 0.5 } });
      dialogues = name === "halfA" ? halves.train : halves.test;
    }
    world = new SacCorpusWorld(dialogues);
    entry.worlds.set(name, world);
  }
  return world;
}

/** The i-th held-out dialogue in a fixed shuffled order (the same unit at every seed and scale). */
export function seedDialogue(index: number, dataDir?: string): Dialogue {
  const entry = corpus(dataDir);
  entry.seedOrder ??= seededShuffle(entry.test, 0).filter((dialogue) => dialogue.turns.length >= 2);
  const dialogue = entry.seedOrder[index];
  if (!dialogue) throw new Error(`there are only ${entry.seedOrder.length} held-out DailyDialog dialogues, not ${index + 1}`);
  return dialogue;
}
