import {
  loadDailyDialog,
  loadMultiWoz,
  loadPersuasionForGood,
  loadSgdDialogues,
  loadSgdSchemas,
  loadSopdailDialogues,
  loadSopdailTasks,
  resolveDataDir,
  summarizeDialogues,
  type Dialogue,
} from "@foresight/dialogue";
import { parseFlags, type Command } from "../command.js";

/** Stats of one corpus part, or the reason it could not be loaded. */
type PartStats = Record<string, number> | { error: string };

function donationRate(dialogues: readonly Dialogue[]): number {
  const known = dialogues.filter((d) => typeof d.outcome?.donated === "boolean");
  if (known.length === 0) return Number.NaN;
  return known.filter((d) => d.outcome?.donated === true).length / known.length;
}

function safely(load: () => Record<string, number>): PartStats {
  try {
    return load();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Loads every corpus in the data folder and counts it; a corpus that fails to load is reported with its error. */
export function collectCorpusStats(dataDir: string): Record<string, Record<string, PartStats>> {
  return {
    p4g: {
      annotated: safely(() => {
        const dialogues = loadPersuasionForGood({ dataDir, part: "annotated" });
        return { ...summarizeDialogues(dialogues), donationRate: donationRate(dialogues) };
      }),
      full: safely(() => {
        const dialogues = loadPersuasionForGood({ dataDir, part: "full" });
        return { ...summarizeDialogues(dialogues), donationRate: donationRate(dialogues) };
      }),
    },
    multiwoz: {
      val: safely(() => {
        const dialogues = loadMultiWoz({ dataDir });
        const withGoals = dialogues.filter((d) => d.goal && Object.keys(d.goal).length > 0).length;
        return { ...summarizeDialogues(dialogues), dialoguesWithGoals: withGoals };
      }),
    },
    dailydialog: {
      all: safely(() => summarizeDialogues(loadDailyDialog({ dataDir }))),
    },
    sopdail: {
      all: safely(() => ({
        tasks: loadSopdailTasks({ dataDir }).length,
        ...summarizeDialogues(loadSopdailDialogues({ dataDir })),
      })),
    },
    sgd: {
      test: safely(() => ({
        services: loadSgdSchemas({ dataDir, split: "test" }).length,
        ...summarizeDialogues(loadSgdDialogues({ dataDir })),
      })),
    },
  };
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
    "Usage: foresight corpus stats [--json] [--data-dir DIR]",
    "",
    "  --json          print one machine-readable JSON object",
    "  --data-dir DIR  the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: "boolean" }, "data-dir": { type: "string" } });
    const dataDir = resolveDataDir(values["data-dir"]);
    const corpora = collectCorpusStats(dataDir);
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
