import { parseArgs, type ParseArgsConfig } from "node:util";

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

/** Parses flags strictly, turning node's parse errors into a {@link UsageError} that names the flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
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
