import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Where each data folder resolved by {@link resolveDataDir} came from, so errors can name what the user set. */
const dataDirSources = new Map<string, string>();

/**
 * The shared data folder: `explicit` (e.g. a `--data-dir` flag; `explicitName` is how errors name it), else env
 * `FORESIGHT_DATA_DIR`, else `../shared/data` beside the workspace root — the root this package is installed in,
 * else the one above the working directory — so the default does not depend on the current directory.
 */
export function resolveDataDir(explicit?: string, explicitName?: string): string {
  let dir: string;
  let source: string;
  if (explicit) {
    dir = resolve(explicit);
    // A folder passed on by code keeps the name the user gave it (e.g. `--data-dir`).
    source = explicitName ?? dataDirSources.get(dir) ?? "the dataDir option";
  } else if (process.env.FORESIGHT_DATA_DIR) {
    dir = resolve(process.env.FORESIGHT_DATA_DIR);
    source = "FORESIGHT_DATA_DIR";
  } else {
    const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url))) ?? findWorkspaceRoot(process.cwd());
    dir = resolve(root ?? process.cwd(), "..", "shared", "data");
    source = "the default ../shared/data beside the workspace root; set FORESIGHT_DATA_DIR or --data-dir";
  }
  dataDirSources.set(dir, source);
  return dir;
}

/** Resolves a corpus sub-folder and fails with a clear message (naming what set the data folder) when it is absent. */
export function requireCorpusDir(dataDir: string, corpus: string): string {
  const dir = join(dataDir, corpus);
  const source = dataDirSources.get(dataDir) ?? "FORESIGHT_DATA_DIR";
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CorpusError(dir, `is a file, expected the corpus folder "${corpus}"`);
  if (!existsSync(dir)) {
    throw new CorpusError(
      dir,
      `corpus folder "${corpus}" not found in the data folder ${dataDir} (from ${source})`,
    );
  }
  return dir;
}

/** Returns `file` when it is an existing regular file; otherwise fails naming it (missing, or a folder). */
export function requireFile(file: string): string {
  if (!existsSync(file)) throw new CorpusError(file, "file not found");
  if (statSync(file).isDirectory()) throw new CorpusError(file, "is a folder, expected a file");
  return file;
}

/** Reads a file as text, failing with the file's name when it is absent or a folder. */
export function readTextFile(file: string): string {
  return readFileSync(requireFile(file), "utf8");
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
