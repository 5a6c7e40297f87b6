import {
  loadMultiWoz,
  loadMultiWozDatabase,
  loadMultiWozOntology,
  loadMultiWozTemplates,
  splitDialogues,
  CORPUS_SPLIT_SEED,
  type MultiWozDatabase,
  type MultiWozDialogue,
  type MultiWozGoal,
  type MultiWozOntology,
  type MultiWozTemplates,
  type SplitName,
} from "@foresight/dialogue";
import { buildMultiWozActInventory, fitMultiWozUserActCounts, type MultiWozActInventory } from "./inventory.js";
import { MultiWozActPrior } from "./prior.js";

/** A corpus goal the simulator can play, with its dialogue id and the part of the fixed split it belongs to. */
export interface MultiWozWorldGoal {
  id: string;
  goal: MultiWozGoal;
  split: SplitName;
}

/** Everything the offline MultiWOZ world is built from, loaded from the shared data folder. */
export interface MultiWozWorld {
  db: MultiWozDatabase;
  ontology: MultiWozOntology;
  templates: MultiWozTemplates;
  inventory: MultiWozActInventory;
  /** Every corpus goal, in corpus order, with its split. */
  goals: MultiWozWorldGoal[];
  /** The system act prior, fitted on the `train` part of the split. */
  prior: MultiWozActPrior;
  /** P(n acts per user turn), fitted on the `train` part (see `fitMultiWozUserActCounts`). */
  userActCounts: number[];
  /** The seed of the deduplicated corpus split (80/10/10, `splitDialogues`). */
  splitSeed: number;
}

/** Options for {@link loadMultiWozWorld}. */
export interface LoadMultiWozWorldOptions {
  dataDir?: string;
  /** Seed of the deduplicated train/dev/test split of the validation dialogues (default `CORPUS_SPLIT_SEED`, the project's one split). */
  splitSeed?: number;
  /** Back-off weight of the prior (see `MultiWozActPrior`). */
  priorBackoff?: number;
}

/**
 * Loads the offline MultiWOZ world from `<data>/multiwoz`: the venue database, ontology, ConvLab templates and the
 * validation dialogues, split 80/10/10 by the project's deduplicated split (`splitDialogues`); the act prior and the per-turn act-count
 * distribution are fitted on the `train` part, the act inventory on the whole corpus plus the templates.
 */
export function loadMultiWozWorld(options: LoadMultiWozWorldOptions = {}): MultiWozWorld {
  const dataDir = options.dataDir;
  const splitSeed = options.splitSeed ?? CORPUS_SPLIT_SEED;
  const dialogues = loadMultiWoz(dataDir === undefined ? {} : { dataDir });
  const db = loadMultiWozDatabase(dataDir === undefined ? {} : { dataDir });
  const templates = loadMultiWozTemplates(dataDir === undefined ? {} : { dataDir });
  const ontology = loadMultiWozOntology(dataDir === undefined ? {} : { dataDir });
  return buildMultiWozWorld({ dialogues, db, templates, ontology, splitSeed, ...(options.priorBackoff === undefined ? {} : { priorBackoff: options.priorBackoff }) });
}

/** Builds the world from already loaded parts (see {@link loadMultiWozWorld}). */
export function buildMultiWozWorld(parts: {
  dialogues: readonly MultiWozDialogue[];
  db: MultiWozDatabase;
  templates: MultiWozTemplates;
  ontology: MultiWozOntology;
  splitSeed?: number;
  priorBackoff?: number;
}): MultiWozWorld {
  const splitSeed = parts.splitSeed ?? CORPUS_SPLIT_SEED;
  const split = splitDialogues(parts.dialogues, { seed: splitSeed });
  const splitOfId = new Map<string, SplitName>();
  for (const name of ["train", "dev", "test"] as const) for (const dialogue of split[name]) splitOfId.set(dialogue.id, name);
  const train = split.train;
  return {
    db: parts.db,
    ontology: parts.ontology,
    templates: parts.templates,
    inventory: buildMultiWozActInventory(parts.dialogues, parts.templates),
    goals: parts.dialogues.filter((dialogue) => Object.keys(dialogue.goal.domains).length > 0).map((dialogue) => ({ id: dialogue.id, goal: dialogue.goal, split: splitOfId.get(dialogue.id)! })),
    prior: MultiWozActPrior.fit(train, parts.db, parts.priorBackoff === undefined ? {} : { backoff: parts.priorBackoff }),
    userActCounts: fitMultiWozUserActCounts(train),
    splitSeed,
  };
}

/** The world's goal with a dialogue id, failing with the closest ids when it is unknown. */
export function multiWozWorldGoal(world: MultiWozWorld, id: string): MultiWozWorldGoal {
  const wanted = id.replace(/\.json$/i, "").toUpperCase();
  const found = world.goals.find((goal) => goal.id.toUpperCase() === wanted);
  if (!found) {
    const similar = world.goals.filter((goal) => goal.id.toUpperCase().startsWith(wanted.slice(0, 4))).slice(0, 5).map((goal) => goal.id);
    throw new Error(`no MultiWOZ goal with dialogue id "${id}" in the validation split${similar.length ? ` (e.g. ${similar.join(", ")})` : ""}`);
  }
  return found;
}
