#!/usr/bin/env node
import { parseArgs } from "node:util";
import { runMctsSuite } from "./mcts-suite.js";
import { formatSemanticTable, runSemanticSuite, semanticReport } from "./semantic/index.js";
import { formatTable, reportObject } from "./report.js";

function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed) || parsed < 2) throw new Error(`--${name} must be an integer ≥ 2, got "${value}"`);
  return parsed;
}

/** `node dist/run.js <mcts|semantic> [--json] [--seed N] [--seconds S] [--compare-nodes N] [--ttt-compare-nodes N]`: runs a suite and prints its report. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: "boolean" }, seed: { type: "string" }, seconds: { type: "string" }, "compare-nodes": { type: "string" }, "ttt-compare-nodes": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const suite = positionals[0] ?? "mcts";
  if (suite !== "mcts" && suite !== "semantic") {
    process.stderr.write(`bench: unknown suite "${suite}" (known: mcts, semantic)\n`);
    return 2;
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  const seconds = values.seconds === undefined ? 2 : Number(values.seconds);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got "${values.seconds}"`);
  if (suite === "semantic") {
    const semanticRows = await runSemanticSuite({ seed, seconds, batches: [1, 64, 256] });
    process.stdout.write(`${values.json ? JSON.stringify(semanticReport(semanticRows)) : formatSemanticTable(semanticRows)}\n`);
    return 0;
  }
  const compareNodes = intFlag("compare-nodes", values["compare-nodes"], 200_000);
  const ticTacToeCompareNodes = intFlag("ttt-compare-nodes", values["ttt-compare-nodes"], 20_000);
  const rows = await runMctsSuite({ seed, seconds, compareNodes, ticTacToeCompareNodes });
  process.stdout.write(`${values.json ? JSON.stringify(reportObject(suite, rows)) : formatTable(rows)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
