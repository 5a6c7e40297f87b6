import { readFileSync } from "node:fs";
import { InputError, UsageError, nearest, type Command, type CommandEntry, type CommandIO } from "./command.js";
import { commands } from "./commands/index.js";

/** The CLI's version (all `@foresight/*` packages are versioned together). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function listLines(entries: readonly CommandEntry[]): string[] {
  const width = Math.max(22, ...entries.map((e) => e.path.join(" ").length + 2));
  return entries.map((entry) => `  ${entry.path.join(" ").padEnd(width)} ${entry.summary}`);
}

function helpText(): string {
  return [
    "Usage: foresight <command> [options]",
    "",
    "Commands:",
    ...listLines(commands),
    "",
    "Options: --help (also `foresight help <command or group>`), --version",
    "Run `foresight <command> --help` for a command's options, `foresight <group> --help` for a group's commands.",
  ].join("\n");
}

/** The entries whose path starts with `prefix`. */
function entriesUnder(prefix: readonly string[]): CommandEntry[] {
  return commands.filter((entry) => prefix.every((part, i) => entry.path[i] === part));
}

function groupHelp(prefix: readonly string[]): string {
  const name = prefix.join(" ");
  return [`Usage: foresight ${name} <command> [options]`, "", `Commands of ${name}:`, ...listLines(entriesUnder(prefix)), "", `Run \`foresight ${name} <command> --help\` for a command's options.`].join("\n");
}

function findEntry(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const entry of commands) {
    const matches = entry.path.every((part, i) => argv[i] === part);
    if (matches && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best ? { entry: best, rest: argv.slice(best.path.length) } : undefined;
}

/** The longest prefix of `argv`'s words that is a group (the first words of more than one command, or of a longer one). */
function findGroup(argv: readonly string[]): string[] | undefined {
  for (let n = argv.length; n >= 1; n--) {
    const prefix = argv.slice(0, n);
    if (prefix.some((word) => word.startsWith("-"))) continue;
    if (commands.some((entry) => entry.path.length > n && prefix.every((part, i) => entry.path[i] === part))) return prefix;
  }
  return undefined;
}

async function resolveEntry(entry: CommandEntry): Promise<Command> {
  return "load" in entry ? entry.load() : entry;
}

/** The usage of a command, with the longer commands that share its words (`simulate` → `simulate multiwoz`). */
async function commandHelp(entry: CommandEntry): Promise<string> {
  const command = await resolveEntry(entry);
  const longer = entriesUnder(entry.path).filter((other) => other.path.length > entry.path.length);
  return longer.length === 0 ? command.usage : [command.usage, "", "Subcommands:", ...listLines(longer)].join("\n");
}

function unknownCommand(argv: readonly string[]): string {
  const words = argv.filter((word) => !word.startsWith("-"));
  const group = findGroup(words);
  const depth = group ? group.length + 1 : 1;
  const typed = words.slice(0, depth).join(" ");
  const candidates = [...new Set((group ? entriesUnder(group) : commands).map((entry) => entry.path.slice(0, depth).join(" ")))];
  const suggestion = nearest(typed, candidates) ?? nearest(words.join(" "), commands.map((entry) => entry.path.join(" ")));
  return `foresight: unknown command "${typed || argv.join(" ")}"${suggestion ? `; did you mean \`foresight ${suggestion}\`?` : ""}\nRun \`foresight --help\` for the list of commands.`;
}

/** Error classes of the packages whose messages are meant for the user as they are (matched by name, not imported). */
const USER_FACING_ERRORS = new Set([
  "InputError",
  "CorpusError",
  "ModelLoadError",
  "SopFormatError",
  "SacFormatError",
  "SacFileError",
  "LlmConfigError",
  "PromptPackError",
  "MctsConfigError",
  "PlannerInputError",
]);

const FS_PROBLEMS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EISDIR: "is a folder, expected a file",
  ENOTDIR: "a part of the path is a file, expected a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "on a read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "already exists",
};

/** One line for an ordinary mistake (a user-facing package error or a file-system error on a path), else undefined. */
function ordinaryMistake(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const named = error.name !== "Error" ? error.name : error.constructor.name;
  if (USER_FACING_ERRORS.has(named)) return error.message.split("\n")[0];
  const { code, path } = error as NodeJS.ErrnoException;
  if (code && path && FS_PROBLEMS[code]) return `${path}: ${FS_PROBLEMS[code]}`;
  return undefined;
}

/** Runs the CLI on arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === "--help" || first === "-h") {
    io.out(helpText());
    return 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    io.out(cliVersion());
    return 0;
  }
  if (first === "help") return runCli(argv.length === 1 ? [] : [...argv.slice(1), "--help"], io);
  const found = findEntry(argv);
  const wantsHelp = (words: readonly string[]) => words.includes("--help") || words.includes("-h");
  if (!found) {
    // `foresight sac`, `foresight sac --help`: the group's commands.
    const group = findGroup(argv);
    if (group && argv.slice(group.length).every((word) => wantsHelp([word]))) {
      io.out(groupHelp(group));
      return 0;
    }
    io.err(unknownCommand(argv));
    return 2;
  }
  const name = `foresight ${found.entry.path.join(" ")}`;
  if (wantsHelp(found.rest)) {
    io.out(await commandHelp(found.entry));
    return 0;
  }
  try {
    const command = await resolveEntry(found.entry);
    return await command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\nRun \`${name} --help\` for its options.`);
      return 2;
    }
    const line = error instanceof InputError ? error.message : ordinaryMistake(error);
    if (line !== undefined) {
      io.err(`${name}: ${line}`);
      return 1;
    }
    throw error;
  }
}
