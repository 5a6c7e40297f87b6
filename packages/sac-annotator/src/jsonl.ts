import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { z } from "zod";
import { SacFileError } from "./errors.js";
import { describeZodError } from "./json.js";

/** Reads a JSONL file and validates every line; errors name the file, the line and the field. Blank lines are skipped. */
export function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(file)) throw new SacFileError(file, "file not found");
  return parseJsonl(readFileSync(file, "utf8"), file, schema);
}

/**
 * Parses JSONL text read from `file` and validates every line (blank lines skipped); a malformed line is an error
 * naming the file and line, with `describe` wording a schema failure (default: the field and zod's message).
 */
export function parseJsonl<T>(text: string, file: string, schema: z.ZodType<T>, describe: (error: z.ZodError) => string = describeZodError): T[] {
  const rows: T[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SacFileError(file, `malformed JSON: ${(error as Error).message}`, index + 1);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new SacFileError(file, describe(parsed.error), index + 1);
    rows.push(parsed.data);
  });
  return rows;
}

/** Creates the folder of `file` when it does not exist. */
export function ensureParentDir(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
}

/**
 * Replaces `file` with `text` through a temp file that is fsynced and renamed over it, so a crash at any moment
 * leaves either the old or the new content, never a shorter file (creates the folder).
 */
export function writeFileSafely(file: string, text: string): void {
  ensureParentDir(file);
  writeFileAtomic.sync(file, text, { fsync: true });
}

/** Appends one value as a JSON line (creating the file and its folder); appends are the only in-place writes. */
export function appendJsonl(file: string, value: unknown): void {
  ensureParentDir(file);
  appendFileSync(file, `${JSON.stringify(value)}\n`);
}

/** Writes values as a JSONL file, replacing it atomically ({@link writeFileSafely}). */
export function writeJsonl(file: string, values: Iterable<unknown>): void {
  const lines: string[] = [];
  for (const value of values) lines.push(JSON.stringify(value));
  writeFileSafely(file, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}
