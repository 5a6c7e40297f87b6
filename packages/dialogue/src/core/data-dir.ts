import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { z } from "zod";

/** A corpus file that is missing or malformed; the message names the file and, where known, the field. */
export class CorpusError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly field?: string,
  ) {
    super(`${file}${field ? ` (field ${field})` : ""}: ${message}`);
    this.name = "CorpusError";
  }
}

/** The nearest folder at or above `start` holding `pnpm-workspace.yaml`, or undefined when there is none. */
export function findWorkspaceRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The shared data folder: env `FORESIGHT_DATA_DIR`, else `../shared/data` next to the workspace root (found by
 * walking up from the working directory), else `../shared/data` from the working directory.
 */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.FORESIGHT_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  const root = findWorkspaceRoot(process.cwd());
  return resolve(root ?? process.cwd(), "..", "shared", "data");
}

/** Resolves a corpus sub-folder and fails with a clear message when it is absent. */
export function requireCorpusDir(dataDir: string, corpus: string): string {
  const dir = join(dataDir, corpus);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CorpusError(
      dir,
      `corpus folder "${corpus}" not found; set FORESIGHT_DATA_DIR to the shared data folder (looked in ${dataDir})`,
    );
  }
  return dir;
}

/** Reads a file as text, failing with the file's name when it is absent. */
export function readTextFile(file: string): string {
  if (!existsSync(file)) throw new CorpusError(file, "file not found");
  return readFileSync(file, "utf8");
}

/** Formats the first zod issue as a dotted field path. */
export function zodIssuePath(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
}

/** Validates a parsed value against a schema, raising a {@link CorpusError} that names the file and field. */
export function validateCorpusValue<T>(schema: z.ZodType<T>, value: unknown, file: string, fieldPrefix = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const path = zodIssuePath(result.error);
  const field = fieldPrefix ? (path === "(root)" ? fieldPrefix : `${fieldPrefix}.${path}`) : path;
  throw new CorpusError(file, result.error.issues[0]?.message ?? "invalid value", field);
}

/** Reads and parses a JSON file, then validates it; errors name the file and field. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>): T {
  const text = readTextFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorpusError(file, `malformed JSON: ${(error as Error).message}`);
  }
  return validateCorpusValue(schema, parsed, file);
}
