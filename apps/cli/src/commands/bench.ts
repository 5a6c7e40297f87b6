import { formatTable, reportObject, runMctsSuite } from "@foresight/bench";
import { createProgress } from "../progress.js";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command } from "../command.js";

/** The longest budget per case `--seconds` accepts (both benches). */
export const MAX_BENCH_SECONDS = 600;

/** The largest tree `--memory-nodes` / `--compare-nodes` / `--ttt-compare-nodes` accept (memory stays in a few GB). */
export const MAX_BENCH_NODES = 20_000_000;

function parsePositive(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed <= 0 || parsed > max) throw new UsageError(`--${name} must be a number above 0 and at most ${max}, got "${value}"`);
  return parsed;
}

/** `foresight bench mcts [--json] [--seed N] [--seconds S] [--memory-nodes N] [--compare-nodes N] [--ttt-compare-nodes N]`. */
export const benchMctsCommand: Command = {
  path: ["bench", "mcts"],
  summary: "MCTS speed benchmark: iterations/s, async parallelism, bytes per node, ratios to an object-tree baseline",
  usage: [
    "Usage: foresight bench mcts [--json] [--seed N] [--seconds S] [--memory-nodes N] [--compare-nodes N] [--ttt-compare-nodes N]",
    "",
    "  Cases: (a) tic-tac-toe from the empty board with random rollouts, (b) a random MDP (branching 8, depth 20),",
    "  (c) an async model with 50 ms latency, sequential and with 16 simulations in flight, (d) memory of a large tree.",
    "  Side by side in the same run: (a) and fresh 10k-iteration tic-tac-toe searches against a conventional",
    "  object-tree UCT (on the same packed board, and on an array board copied per move), and tree memory of both at",
    "  equal node counts; the report's ratios are foresight / baseline.",
    "",
    "  --json                 print one JSON object {suite, machine, commit, seed, rows, ratios}",
    "  --seed N               seed of every search, 0 to 4294967295 (default 1)",
    `  --seconds S            wall-clock budget per timed case and contestant, at most ${MAX_BENCH_SECONDS} (default 2)`,
    `  --memory-nodes N       node count of the memory case, at most ${MAX_BENCH_NODES} (default 1000000)`,
    `  --compare-nodes N      node count of the random-MDP memory comparison, at most ${MAX_BENCH_NODES} (default 200000)`,
    `  --ttt-compare-nodes N  node count of the tic-tac-toe memory comparison, at most ${MAX_BENCH_NODES} (default 20000)`,
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      json: { type: "boolean" },
      seed: { type: "string" },
      seconds: { type: "string" },
      "memory-nodes": { type: "string" },
      "compare-nodes": { type: "string" },
      "ttt-compare-nodes": { type: "string" },
    });
    const seed = parseSeedFlag(values.seed, 1);
    const seconds = parsePositive("seconds", values.seconds, 2, MAX_BENCH_SECONDS);
    const memoryNodes = parseIntFlag("memory-nodes", values["memory-nodes"], 1_000_000, { min: 1, max: MAX_BENCH_NODES });
    const compareNodes = parseIntFlag("compare-nodes", values["compare-nodes"], 200_000, { min: 2, max: MAX_BENCH_NODES });
    const ticTacToeCompareNodes = parseIntFlag("ttt-compare-nodes", values["ttt-compare-nodes"], 20_000, { min: 2, max: MAX_BENCH_NODES });
    const progress = createProgress({ plain: values.json ?? false });
    let rows;
    try {
      rows = await runMctsSuite({ seed, seconds, memoryNodes, compareNodes, ticTacToeCompareNodes, onProgress: (done, total, label) => progress.update(done, total, `bench mcts: ${label}`) });
    } finally {
      progress.stop();
    }
    io.out(values.json ? JSON.stringify(reportObject("mcts", rows)) : formatTable(rows));
    return 0;
  },
};
