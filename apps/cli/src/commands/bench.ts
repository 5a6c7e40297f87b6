import { formatTable, reportObject, runMctsSuite } from "@foresight/bench";
import { UsageError, parseFlags, parseIntFlag, type Command } from "../command.js";

function parsePositive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return parsed;
}

/** `foresight bench mcts [--json] [--seed N] [--seconds S] [--memory-nodes N]`. */
export const benchMctsCommand: Command = {
  path: ["bench", "mcts"],
  summary: "MCTS speed benchmark: iterations/s, async parallelism, bytes per node",
  usage: [
    "Usage: foresight bench mcts [--json] [--seed N] [--seconds S] [--memory-nodes N]",
    "",
    "  Cases: (a) tic-tac-toe from the empty board with random rollouts, (b) a random MDP (branching 8, depth 20),",
    "  (c) an async model with 50 ms latency, sequential and with 16 simulations in flight, (d) memory of a large tree.",
    "",
    "  --json            print one JSON object {suite, machine, commit, seed, rows}",
    "  --seed N          seed of every search (default 1)",
    "  --seconds S       wall-clock budget per timed case (default 2)",
    "  --memory-nodes N  node count of the memory case (default 1000000)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      json: { type: "boolean" },
      seed: { type: "string" },
      seconds: { type: "string" },
      "memory-nodes": { type: "string" },
    });
    const seed = parseIntFlag("seed", values.seed, 1);
    const seconds = parsePositive("seconds", values.seconds, 2);
    const memoryNodes = parseIntFlag("memory-nodes", values["memory-nodes"], 1_000_000);
    if (memoryNodes < 1) throw new UsageError(`--memory-nodes must be at least 1, got ${memoryNodes}`);
    const rows = await runMctsSuite({ seed, seconds, memoryNodes });
    io.out(values.json ? JSON.stringify(reportObject("mcts", rows)) : formatTable(rows));
    return 0;
  },
};
