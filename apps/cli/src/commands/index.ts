import type { Command } from "../command.js";
import { benchMctsCommand } from "./bench.js";
import { benchSemanticCommand } from "./bench-semantic.js";
import { trainCommand } from "./train.js";
import { corpusStatsCommand } from "./corpus.js";
import { evaluateMultiWozCommand } from "./evaluate.js";
import { sacCommands } from "./sac.js";
import { sopCheckCommand, sopMetricsCommand } from "./sop.js";
import { simulateMultiWozCommand } from "./simulate-multiwoz.js";
import { simulateCommand } from "./simulate.js";
import { planCommand } from "./plan.js";
import { serveCommand } from "./serve.js";
import { benchServerCommand } from "./bench-server.js";

/** Every `foresight` subcommand. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [
  corpusStatsCommand,
  simulateMultiWozCommand,
  simulateCommand,
  sopCheckCommand, sopMetricsCommand,
  ...sacCommands,
  evaluateMultiWozCommand,
  benchMctsCommand,
  benchSemanticCommand,
  trainCommand,
  planCommand,
  serveCommand,
  benchServerCommand,
];
