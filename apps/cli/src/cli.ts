import { CorpusError } from "@foresight/dialogue";
import { UsageError, type Command, type CommandIO } from "./command.js";
import { commands } from "./commands/index.js";

function helpText(): string {
  const lines = ["Usage: foresight <command> [options]", "", "Commands:"];
  for (const command of commands) lines.push(`  ${command.path.join(" ").padEnd(22)} ${command.summary}`);
  lines.push("", "Run `foresight <command> --help` for a command's options.");
  return lines.join("\n");
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((part, i) => argv[i] === part);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

/** Runs the CLI on arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`foresight: unknown command "${argv.join(" ")}"\n\n${helpText()}`);
    return 2;
  }
  if (found.rest.includes("--help") || found.rest.includes("-h")) {
    io.out(found.command.usage);
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`foresight ${found.command.path.join(" ")}: ${error.message}\n\n${found.command.usage}`);
      return 2;
    }
    if (error instanceof CorpusError) {
      io.err(`foresight ${found.command.path.join(" ")}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
