import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { closest, distance } from "fastest-levenshtein";

/** Where a command writes; tests pass buffers, the binary passes process streams. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

/** One `foresight` subcommand, e.g. path `["corpus", "stats"]`. */
export interface Command {
  path: string[];
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * A command listed by path and summary whose module is imported only when it runs or its `--help` is asked for,
 * so `foresight --help` never loads a command's heavy dependencies (onnxruntime, corpora).
 */
export interface LazyCommand {
  path: string[];
  summary: string;
  load(): Promise<Command>;
}

/** An entry of the command list: a command, or a lazily loaded one. */
export type CommandEntry = Command | LazyCommand;

/** A {@link LazyCommand} whose module `load` imports, e.g. `lazy(["train"], "…", () => import("./train.js").then((m) => m.trainCommand))`. */
export function lazy(path: string[], summary: string, load: () => Promise<Command>): LazyCommand {
  return { path, summary, load };
}

/** A user error on the command line (bad flag, missing argument); printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An ordinary mistake outside the flags' syntax (a path that is a folder, an unwritable `--out`): one line, exit 1. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The declaration of one flag, as `node:util` parseArgs takes it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/** The parsed value of each declared flag (absent flags are undefined). */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  [K in keyof T]?: T[K] extends { multiple: true }
    ? (T[K]["type"] extends "boolean" ? boolean : string)[]
    : T[K]["type"] extends "boolean"
      ? boolean
      : string;
};

/** The closest of `candidates` to `word` when it is near enough to be a likely typo, else undefined. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

const NUMBER = /^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Joins a string flag and a following negative number (`--seed -1` → `--seed=-1`), which node would refuse as ambiguous. */
function joinNegativeValues(argv: readonly string[], options: Record<string, FlagSpec>): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Parses flags strictly, turning node's parse errors into a {@link UsageError} that names the flag and, for an unknown
 * one, suggests the nearest declared flag. A negative number is taken as a flag's value (`--seed -1`).
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  argv: string[],
  options: T,
  allowPositionals = false,
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals, strict: true });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'([^']+)'/.exec((error as Error).message)?.[1] ?? "";
      const name = flag.replace(/^-+/, "").split("=")[0] ?? "";
      const suggestion = nearest(name, Object.keys(options));
      throw new UsageError(`unknown flag ${flag}${suggestion ? `; did you mean --${suggestion}?` : ""}`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const word = /'([^']+)'/.exec((error as Error).message)?.[1] ?? "";
      throw new UsageError(`unexpected argument "${word}"; this command takes only flags`);
    }
    throw new UsageError((error as Error).message.split("\n")[0] ?? String(error));
  }
}

/** Bounds of an integer flag; both inclusive. */
export interface IntBounds {
  min?: number;
  max?: number;
}

/** Parses an integer flag value, naming the flag when it is not one or lies outside `bounds`. */
export function parseIntFlag(name: string, value: string | undefined, fallback: number, bounds: IntBounds = {}): number {
  if (value === undefined) return fallback;
  const { min, max } = bounds;
  const range =
    min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : "";
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be an integer${range}, got "${value}"`);
  const parsed = Number(value);
  if ((min !== undefined && parsed < min) || (max !== undefined && parsed > max)) throw new UsageError(`--${name} must be an integer${range}, got ${parsed}`);
  return parsed;
}

/** The largest seed: every generator reads its seed as an unsigned 32-bit integer. */
export const MAX_SEED = 4294967295;

/**
 * THE seed parser of the CLI: a whole decimal number from 0 to {@link MAX_SEED}. Anything else — a negative number,
 * a larger one, a fraction, `1e3` — is refused, because the generators would fold it onto another seed (`>>> 0`
 * maps -1 to 2³²−1 and 2³² to 0; `1.7` would become 1) and silently replay that seed's run.
 */
export function parseSeedFlag(value: string | undefined, fallback: number, name = "seed"): number {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) {
    throw new UsageError(`--${name} must be a whole number from 0 to ${MAX_SEED}, got "${value}"`);
  }
  return Number(text);
}

function kindOf(path: string): "missing" | "file" | "folder" {
  if (!existsSync(path)) return "missing";
  return statSync(path).isDirectory() ? "folder" : "file";
}

/** How a message names a path: with the flag that gave it (`--in x.json`), or alone for a positional argument (""). */
function named(flag: string, path: string): string {
  return flag ? `${flag} ${path}` : path;
}

/** Checks that `path` (given with `flag`, e.g. `--in`; "" for a positional) is an existing file; returns it resolved. */
export function requireInputFile(flag: string, path: string): string {
  const full = resolve(path);
  const kind = kindOf(full);
  if (kind === "missing") throw new InputError(`${named(flag, path)}: no such file`);
  if (kind === "folder") throw new InputError(`${named(flag, path)}: is a folder, expected a file`);
  return full;
}

/** Checks that `path` (given with `flag`; "" for a positional) is an existing folder; returns it resolved. */
export function requireInputDir(flag: string, path: string): string {
  const full = resolve(path);
  const kind = kindOf(full);
  if (kind === "missing") throw new InputError(`${named(flag, path)}: no such folder`);
  if (kind === "file") throw new InputError(`${named(flag, path)}: is a file, expected a folder`);
  return full;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nearest existing folder at or above `path`. */
function existingAncestor(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * Checks BEFORE any work that an output can be written: `kind` "folder" — `path` is a folder (or can be created)
 * and writable; "file" — `path` is not a folder and its folder is (or can be created and is) writable. Returns it
 * resolved; otherwise an {@link InputError} naming the flag and the path.
 */
export function requireWritableOut(flag: string, path: string, kind: "file" | "folder"): string {
  const full = resolve(path);
  const existing = kindOf(full);
  const name = named(flag, path);
  if (kind === "folder" && existing === "file") throw new InputError(`${name}: is a file, expected a folder`);
  if (kind === "file" && existing === "folder") throw new InputError(`${name}: is a folder, expected a file`);
  if (existing !== "missing") {
    if (!writable(full)) throw new InputError(`${name}: not writable`);
    return full;
  }
  const ancestor = existingAncestor(kind === "folder" ? full : dirname(full));
  if (kindOf(ancestor) === "file") throw new InputError(`${name}: cannot be created, ${ancestor} is a file`);
  if (!writable(ancestor)) throw new InputError(`${name}: cannot be created, ${ancestor} is not writable`);
  return full;
}
