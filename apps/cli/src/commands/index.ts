import type { Command } from "../command.js";
import { corpusStatsCommand } from "./corpus.js";
import { sacCommands } from "./sac.js";
import { sopCheckCommand, sopMetricsCommand } from "./sop.js";

/** Every `foresight` subcommand. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [
  corpusStatsCommand,
  sopCheckCommand, sopMetricsCommand,
  ...sacCommands,
];
