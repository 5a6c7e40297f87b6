import { parse } from "csv-parse/sync";
import type { z } from "zod";
import { CorpusError, readTextFile, validateCorpusValue } from "../core/data-dir.js";
import type { SkippedRecords } from "../core/skipped.js";

/** One validated CSV record with the 1-based line it starts on (the header is line 1). */
export interface CsvRow<T> {
  line: number;
  row: T;
}

/**
 * Reads a CSV file with a header row and validates every record against `schema`. Errors are
 * {@link CorpusError}s naming the file, the line and the field (e.g. `annotated_dialog.csv line 17 (field B4)`).
 * Blank lines are skipped. With `skipped`, an invalid record is skipped and counted there instead of raised.
 */
export function readCsvRows<T>(file: string, schema: z.ZodType<T>, skipped?: SkippedRecords): CsvRow<T>[] {
  const text = readTextFile(file);
  let records: { info: { lines: number }; record: Record<string, string> }[];
  try {
    records = parse(text, { columns: true, info: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw new CorpusError(file, `malformed CSV: ${(error as Error).message}`);
  }
  const rows = records.flatMap(({ info, record }) => {
    // info.lines is the line a record ends on; quoted fields may span lines, so count back to its start.
    let newlines = 0;
    for (const value of Object.values(record)) newlines += value.split("\n").length - 1;
    const line = info.lines - newlines;
    const where = `${file} line ${line}`;
    try {
      return [{ line, row: validateCorpusValue(schema, record, where) }];
    } catch (error) {
      if (!skipped || !(error instanceof CorpusError)) throw error;
      skipped.skip(where, error);
      return [];
    }
  });
  skipped?.finish(records.length);
  return rows;
}
