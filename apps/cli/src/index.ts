/** Programmatic entry of the `foresight` command: run it with an argument list and your own output streams. */
export { runCli } from "./cli.js";
export type { Command, CommandEntry, CommandIO, LazyCommand } from "./command.js";
