import {
  DAILYDIALOG_SPLITS,
  listMultiWozSplits,
  loadDailyDialog,
  loadMultiWoz,
  loadPersuasionForGood,
  loadSgdDialogues,
  loadSgdSchemas,
  loadSopdailDialogues,
  loadSopdailTasks,
  resolveDataDir,
  summarizeDialogues,
  type CorpusWarning,
  type Dialogue,
  type RecordTolerance,
} from "@foresight/dialogue";
import { parseFlags, type Command } from "../command.js";
import { createProgress, type Progress } from "../progress.js";

/** Stats of one corpus part, or the reason it could not be loaded. */
type PartStats = Record<string, number> | { error: string };

function donationRate(dialogues: readonly Dialogue[]): number {
  const known = dialogues.filter((d) => typeof d.outcome?.donated === "boolean");
  if (known.length === 0) return Number.NaN;
  return known.filter((d) => d.outcome?.donated === true).length / known.length;
}

/** Options of {@link collectCorpusStats}. */
export interface CorpusStatsOptions {
  /** Malformed records are errors instead of skipped and counted (`skipped` in a part's stats). */
  strict?: boolean;
  /** Receives `(done, total, label)` as the parts load. */
  onProgress?: Progress["update"];
}

/** Loads every corpus in the data folder and counts it; a corpus that fails to load is reported with its error. */
export function collectCorpusStats(dataDir: string, options: CorpusStatsOptions = {}): Record<string, Record<string, PartStats>> {
  // A part whose load returns undefined is not present in the data (a split the file does not hold) and is left out.
  type Load = (tolerance: RecordTolerance) => Record<string, number> | undefined;
  const parts: [corpus: string, part: string, load: Load][] = [];
  const add = (corpus: string, part: string, load: Load) => parts.push([corpus, part, load]);
  for (const part of ["annotated", "full"] as const) {
    add("p4g", part, (t) => {
      const dialogues = loadPersuasionForGood({ dataDir, part, ...t });
      return { ...summarizeDialogues(dialogues), donationRate: donationRate(dialogues) };
    });
  }
  let multiWozSplits: string[];
  try {
    multiWozSplits = listMultiWozSplits({ dataDir });
  } catch {
    multiWozSplits = ["val"]; // the load below reports why the folder is unusable
  }
  for (const split of multiWozSplits as ("train" | "val" | "test")[]) {
    add("multiwoz", split, (t) => {
      const dialogues = loadMultiWoz({ dataDir, split, ...t });
      const withGoals = dialogues.filter((d) => d.goal && Object.keys(d.goal).length > 0).length;
      return { ...summarizeDialogues(dialogues), dialoguesWithGoals: withGoals };
    });
  }
  add("dailydialog", "all", (t) => summarizeDialogues(loadDailyDialog({ dataDir, ...t })));
  for (const split of DAILYDIALOG_SPLITS) {
    add("dailydialog", split, (t) => {
      const dialogues = loadDailyDialog({ dataDir, split, ...t });
      return dialogues.length === 0 ? undefined : summarizeDialogues(dialogues);
    });
  }
  add("sopdail", "all", (t) => ({ tasks: loadSopdailTasks({ dataDir, ...t }).length, ...summarizeDialogues(loadSopdailDialogues({ dataDir, ...t })) }));
  add("sgd", "test", (t) => ({ services: loadSgdSchemas({ dataDir, split: "test" }).length, ...summarizeDialogues(loadSgdDialogues({ dataDir, split: "test", ...t })) }));

  const result: Record<string, Record<string, PartStats>> = {};
  parts.forEach(([corpus, part, load], index) => {
    options.onProgress?.(index, parts.length, `${corpus}/${part}`);
    const warnings: CorpusWarning[] = [];
    let stats: PartStats | undefined;
    try {
      stats = load({ strict: options.strict, onWarning: (w) => warnings.push(w) });
      if (stats && warnings.length > 0) stats = { ...stats, skipped: warnings.length };
    } catch (error) {
      stats = { error: (error as Error).message };
    }
    if (stats) (result[corpus] ??= {})[part] = stats;
  });
  options.onProgress?.(parts.length, parts.length, "done");
  return result;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return Number.isNaN(value) ? "n/a" : value.toFixed(3);
}

/** `foresight corpus stats [--json] [--data-dir DIR]`. */
export const corpusStatsCommand: Command = {
  path: ["corpus", "stats"],
  summary: "count dialogues, turns and acts of every shared corpus",
  usage: [
    "Usage: foresight corpus stats [--json] [--strict] [--data-dir DIR]",
    "",
    "  Every split present is counted (MultiWOZ train/val/test, DailyDialog train/validation/test). A malformed or",
    "  empty record is skipped and counted as `skipped`; a split that is absent is reported with its error.",
    "",
    "  --json          print one machine-readable JSON object",
    "  --strict        a malformed record is an error for its corpus instead of skipped",
    "  --data-dir DIR  the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data beside the workspace)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: "boolean" }, strict: { type: "boolean" }, "data-dir": { type: "string" } });
    const dataDir = resolveDataDir(values["data-dir"], "--data-dir");
    const progress = createProgress({ plain: values.json });
    const corpora = collectCorpusStats(dataDir, { strict: values.strict, onProgress: progress.update });
    progress.stop();
    const failed = Object.values(corpora).some((parts) => Object.values(parts).some((part) => "error" in part));
    if (values.json) {
      io.out(JSON.stringify({ dataDir, corpora }, null, 2));
    } else {
      io.out(`Corpora in ${dataDir}`);
      for (const [corpus, parts] of Object.entries(corpora)) {
        for (const [part, stats] of Object.entries(parts)) {
          const body =
            "error" in stats
              ? `ERROR ${stats.error}`
              : Object.entries(stats)
                  .map(([key, value]) => `${key}=${formatNumber(value)}`)
                  .join("  ");
          io.out(`  ${`${corpus}/${part}`.padEnd(22)} ${body}`);
        }
      }
    }
    return failed ? 1 : 0;
  },
};
