import { listMultiWozSplits, loadMultiWoz, loadMultiWozDatabase, MULTIWOZ_SPLITS, resolveDataDir, type MultiWozSplit } from "@foresight/dialogue";
import { evaluateMultiWozCorpus, type MultiWozCorpusReport } from "@foresight/rewards";
import { UsageError, parseFlags, parseIntFlag, requireInputFile, type Command } from "../command.js";
import { createProgress } from "../progress.js";

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(100 * value).toFixed(2)}%`;
}

/** Human-readable lines of a MultiWOZ evaluation report. */
export function formatMultiWozReport(report: MultiWozCorpusReport, split: string): string[] {
  const c = report.convlab;
  return [
    `MultiWOZ 2.1 ${split}: ${report.dialogues} dialogues, system side as annotated in the corpus`,
    `  official  Inform ${percent(report.official.inform)}  Success ${percent(report.official.success)}`,
    `  ConvLab   Inform P/R/F1 ${percent(c.informPrecision)} / ${percent(c.informRecall)} / ${percent(c.informF1)}` +
      `  Book ${percent(c.bookRate)}  Success ${percent(c.success)}  Strict ${percent(c.strictSuccess)}`,
    `            booking constraints ${percent(c.bookConstraints)}  final-goal ${percent(c.finalGoal)}` +
      `  Combined (½·F1 + ¼·(Success + Book)) ${percent(c.combined)}`,
  ];
}

/** `foresight evaluate multiwoz [--split S | --file PATH] [--limit N] [--strict] [--json] [--data-dir DIR]`. */
export const evaluateMultiWozCommand: Command = {
  path: ["evaluate", "multiwoz"],
  summary: "score the system side of a MultiWOZ split as annotated (Inform, Success, Book)",
  usage: [
    "Usage: foresight evaluate multiwoz [--split S | --file PATH] [--limit N] [--strict] [--json] [--data-dir DIR]",
    "",
    `  --split S       ${MULTIWOZ_SPLITS.join(" | ")}: a split present in the data folder's multiwoz/ as <split>.json.zip`,
    "                  or <split>.json (default val; the shared data holds val, 999 dialogues)",
    "  --file PATH     a ConvLab MultiWOZ 2.1 file instead: <name>.json or a zip holding one JSON file",
    "  --limit N       only the first N dialogues",
    "  --strict        a malformed dialogue is an error instead of skipped with a warning",
    "  --json          print one machine-readable JSON object",
    "  --data-dir DIR  the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data beside the workspace)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      split: { type: "string" },
      file: { type: "string" },
      limit: { type: "string" },
      strict: { type: "boolean" },
      json: { type: "boolean" },
      "data-dir": { type: "string" },
    });
    if (values.split !== undefined && values.file !== undefined) throw new UsageError("give --split or --file, not both");
    const limit = parseIntFlag("limit", values.limit, Number.POSITIVE_INFINITY, { min: 1 });
    const dataDir = resolveDataDir(values["data-dir"], "--data-dir");
    let source: { split: MultiWozSplit } | { file: string };
    if (values.file !== undefined) {
      source = { file: requireInputFile("--file", values.file) };
    } else {
      const split = values.split ?? "val";
      const present = listMultiWozSplits({ dataDir });
      if (!present.includes(split as MultiWozSplit)) {
        const known = (MULTIWOZ_SPLITS as readonly string[]).includes(split);
        throw new UsageError(
          `--split ${split}: ${known ? "not present" : "no such split"} in ${dataDir}/multiwoz (present: ${present.join(", ") || "none"}; or give --file PATH)`,
        );
      }
      source = { split: split as MultiWozSplit };
    }
    const progress = createProgress({ plain: values.json });
    progress.update(0, 3, "loading dialogues");
    const loaded = loadMultiWoz({ dataDir, ...source, strict: values.strict, onWarning: (w) => io.err(`warning: skipped ${w.message}`) });
    const dialogues = loaded.slice(0, limit);
    const split = "split" in source ? source.split : String(dialogues[0]?.metadata?.split ?? source.file);
    progress.update(1, 3, "loading the venue database");
    const db = loadMultiWozDatabase({ dataDir });
    progress.update(2, 3, `scoring ${dialogues.length} dialogues`);
    const report = evaluateMultiWozCorpus(dialogues, db);
    progress.update(3, 3, "done");
    progress.stop();
    if (values.json) io.out(JSON.stringify({ corpus: "multiwoz", split, dataDir, ...report }, null, 2));
    else for (const line of formatMultiWozReport(report, split)) io.out(line);
    return 0;
  },
};
