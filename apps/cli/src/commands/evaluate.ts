import { loadMultiWoz, loadMultiWozDatabase, resolveDataDir } from "@foresight/dialogue";
import { evaluateMultiWozCorpus, type MultiWozCorpusReport } from "@foresight/rewards";
import { UsageError, parseFlags, parseIntFlag, type Command } from "../command.js";

const SPLITS = ["val"] as const;

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

/** `foresight evaluate multiwoz --split val [--limit N] [--json] [--data-dir DIR]`. */
export const evaluateMultiWozCommand: Command = {
  path: ["evaluate", "multiwoz"],
  summary: "score the MultiWOZ validation dialogues' system side (Inform, Success, Book)",
  usage: [
    "Usage: foresight evaluate multiwoz --split val [--limit N] [--json] [--data-dir DIR]",
    "",
    "  --split val     the shared MultiWOZ 2.1 validation file (999 dialogues)",
    "  --limit N       only the first N dialogues of the split",
    "  --json          print one machine-readable JSON object",
    "  --data-dir DIR  the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      split: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean" },
      "data-dir": { type: "string" },
    });
    const split = values.split ?? "val";
    if (!(SPLITS as readonly string[]).includes(split)) {
      throw new UsageError(`--split must be one of ${SPLITS.join(", ")}, got "${split}"`);
    }
    const limit = parseIntFlag("limit", values.limit, Number.POSITIVE_INFINITY);
    if (limit < 1) throw new UsageError(`--limit must be at least 1, got ${limit}`);
    const dataDir = resolveDataDir(values["data-dir"]);
    const dialogues = loadMultiWoz({ dataDir }).slice(0, limit);
    const report = evaluateMultiWozCorpus(dialogues, loadMultiWozDatabase({ dataDir }));
    if (values.json) io.out(JSON.stringify({ corpus: "multiwoz", split, dataDir, ...report }, null, 2));
    else for (const line of formatMultiWozReport(report, split)) io.out(line);
    return 0;
  },
};
