import { CorpusError } from "./data-dir.js";

/** One record a loader skipped: the corpus, where the record is (file, line or id) and what is wrong with it. */
export interface CorpusWarning {
  corpus: string;
  /** The record: a file, `file line N` or `file#id`. */
  where: string;
  /** The whole reason, naming the record (a {@link CorpusError}'s message). */
  message: string;
}

/** How a loader treats a malformed or empty record among good ones. */
export interface RecordTolerance {
  /** Raise a {@link CorpusError} on the first bad record instead of skipping it with a warning (default false). */
  strict?: boolean;
  /**
   * Receives each skipped record. Default: one summary line per load on stderr naming the corpus, the count and the
   * first few records, so a bad record is never silent.
   */
  onWarning?: (warning: CorpusWarning) => void;
}

const NAMED_IN_SUMMARY = 3;

/**
 * Collects the records one load skips. In strict mode {@link skip} throws instead; {@link finish} reports the
 * skipped records once (see {@link RecordTolerance.onWarning}).
 */
export class SkippedRecords {
  private readonly warnings: CorpusWarning[] = [];

  constructor(
    private readonly corpus: string,
    private readonly tolerance: RecordTolerance = {},
  ) {}

  /** Skips one record (or throws in strict mode); `error` is the record's {@link CorpusError} or any error. */
  skip(where: string, error: unknown): void {
    if (this.tolerance.strict) {
      if (error instanceof CorpusError) throw error;
      throw new CorpusError(where, error instanceof Error ? error.message : String(error));
    }
    const message = error instanceof CorpusError ? error.message : `${where}: ${error instanceof Error ? error.message : String(error)}`;
    const warning = { corpus: this.corpus, where, message };
    this.warnings.push(warning);
    this.tolerance.onWarning?.(warning);
  }

  /** How many records were skipped so far. */
  get count(): number {
    return this.warnings.length;
  }

  /** Ends the load of `total` records: without an `onWarning`, prints one summary line when anything was skipped. */
  finish(total: number): void {
    if (this.warnings.length === 0 || this.tolerance.onWarning) return;
    process.stderr.write(`${summarizeSkipped(this.corpus, this.warnings, total)}\n`);
  }
}

/** One line naming how many records of a corpus were skipped and the first few with their reasons. */
export function summarizeSkipped(corpus: string, warnings: readonly CorpusWarning[], total: number): string {
  const named = warnings
    .slice(0, NAMED_IN_SUMMARY)
    .map((w) => w.message)
    .join("; ");
  const more = warnings.length > NAMED_IN_SUMMARY ? `; and ${warnings.length - NAMED_IN_SUMMARY} more` : "";
  return `warning: ${corpus}: skipped ${warnings.length} malformed record${warnings.length === 1 ? "" : "s"} of ${total} (${named}${more}); use strict mode to make this an error`;
}
