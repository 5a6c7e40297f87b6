import { parseArgs } from "node:util";

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

/** A user error on the command line (bad flag, missing argument); printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
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

/** Parses flags strictly, turning node's parse errors into a {@link UsageError} that names the flag. */
export function parseFlags<T extends Record<string, FlagSpec>>(
  argv: string[],
  options: T,
  allowPositionals = false,
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses an integer flag value, naming the flag when it is not one. */
export function parseIntFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return Number(value);
}
