import type { Command } from "../command.js";

/** Every `foresight` subcommand. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [];
