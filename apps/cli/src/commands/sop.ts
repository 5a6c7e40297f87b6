import { basename } from "node:path";
import {
  SopFormatError,
  noErrors,
  pathMetrics,
  readSopFile,
  sopEditDistance,
  type SopIssue,
  type SopReport,
} from "@foresight/sop-graph";
import { UsageError, parseFlags, parseIntFlag, type Command, type CommandIO } from "../command.js";

function describeIssue(issue: SopIssue): string {
  return `  ${issue.severity.padEnd(8)} ${issue.code}: ${issue.message}`;
}

function graphSummary(report: SopReport) {
  return { nodes: report.graph.nodeCount, edges: report.graph.edgeCount, ok: report.ok };
}

/** Runs a command body, printing an SOP file error as one line with exit code 1. */
async function reportingFormatErrors(command: string, io: CommandIO, body: () => number): Promise<number> {
  try {
    return body();
  } catch (error) {
    if (error instanceof SopFormatError) {
      io.err(`foresight ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * A SOPDAIL task whose success mark is not a node of its SOP can never succeed: an error naming the task (the
 * graph validation alone only warns, since a bare SOP may list marks of another graph).
 */
function withTaskMarksChecked(report: ReturnType<typeof readSopFile>, file: string): ReturnType<typeof readSopFile> {
  if (report.kind !== "sopdail-task") return report;
  const task = basename(file, ".json");
  const issues = report.issues.map((i) =>
    i.code === "unknown-success-mark" ? { ...i, severity: "error" as const, message: `task ${task}: ${i.message} (the task can never succeed)` } : i,
  );
  return { ...report, issues, ok: noErrors(issues) };
}

/** `foresight sop check <file> [--json] [--strict]`. */
export const sopCheckCommand: Command = {
  path: ["sop", "check"],
  summary: "validate an SOP (SOPDAIL task, adjacency-list JSON or mermaid)",
  usage: [
    "Usage: foresight sop check <file> [--json] [--strict]",
    "",
    "  <file>    a SOPDAIL task file, an SOP object {adjacency_list, vertex?, mermaid?}, a plain adjacency list",
    "            {node: [successors]}, or mermaid `graph TD` text",
    "  --json    print one machine-readable JSON object",
    "  --strict  treat SOPDAIL's known quirks as errors instead of repairing them",
    "",
    "Exit code 0 when the SOP is valid, 1 when it has errors.",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: "boolean" }, strict: { type: "boolean" } }, true);
    if (positionals.length !== 1) throw new UsageError(`expected one SOP file, got ${positionals.length}`);
    const file = positionals[0] as string;
    return reportingFormatErrors("sop check", io, () => {
      const report = withTaskMarksChecked(readSopFile(file, { tolerant: !values.strict }), file);
      if (values.json) {
        io.out(JSON.stringify({ file, kind: report.kind, ...graphSummary(report), issues: report.issues }, null, 2));
      } else {
        const verdict = report.ok ? "valid" : "INVALID";
        io.out(`${file}: ${verdict} SOP (${report.kind}; ${report.graph.nodeCount} nodes, ${report.graph.edgeCount} edges)`);
        for (const issue of report.issues) io.out(describeIssue(issue));
        if (report.issues.length === 0) io.out("  no issues");
      }
      return report.ok ? 0 : 1;
    });
  },
};

/** `foresight sop metrics --pred A --gold B [--json]`. */
export const sopMetricsCommand: Command = {
  path: ["sop", "metrics"],
  summary: "GED, GEDR and Start→End path P/R/F1 of a predicted SOP against a gold one",
  usage: [
    "Usage: foresight sop metrics --pred FILE --gold FILE [--json] [--strict] [--max-paths N] [--max-exact-nodes N]",
    "",
    "  --pred FILE           the predicted SOP (SOPDAIL task, adjacency-list JSON or mermaid)",
    "  --gold FILE           the gold SOP (same formats)",
    "  --json                print one machine-readable JSON object",
    "  --strict              do not repair SOPDAIL's known quirks when reading the files",
    "  --max-paths N         cap on simple Start→End paths enumerated per graph (default 10000)",
    "  --max-exact-nodes N   exact GED up to this many nodes, bounded approximation beyond (default 12)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      pred: { type: "string" },
      gold: { type: "string" },
      json: { type: "boolean" },
      strict: { type: "boolean" },
      "max-paths": { type: "string" },
      "max-exact-nodes": { type: "string" },
    });
    if (!values.pred) throw new UsageError("--pred FILE is required");
    if (!values.gold) throw new UsageError("--gold FILE is required");
    const maxPaths = parseIntFlag("max-paths", values["max-paths"], 10_000);
    const maxExactNodes = parseIntFlag("max-exact-nodes", values["max-exact-nodes"], 12);
    if (maxPaths < 1) throw new UsageError("--max-paths must be at least 1");
    if (maxExactNodes < 0) throw new UsageError("--max-exact-nodes must be at least 0");
    const predFile = values.pred;
    const goldFile = values.gold;
    return reportingFormatErrors("sop metrics", io, () => {
      const pred = readSopFile(predFile, { tolerant: !values.strict });
      const gold = readSopFile(goldFile, { tolerant: !values.strict });
      const ged = sopEditDistance(pred.graph, gold.graph, { maxExactNodes });
      const paths = pathMetrics(pred.graph, gold.graph, { maxPaths });
      const result = {
        pred: { file: predFile, ...graphSummary(pred) },
        gold: { file: goldFile, ...graphSummary(gold) },
        ged: { distance: ged.distance, exact: ged.exact, lowerBound: ged.lowerBound, method: ged.method, gedr: ged.ratio, goldSize: ged.goldSize },
        paths,
      };
      for (const [name, report] of [["pred", pred] as const, ["gold", gold] as const]) {
        if (!report.ok) io.err(`warning: the ${name} SOP has errors (run \`foresight sop check\` on it); scoring it as it is`);
      }
      if (values.json) {
        io.out(JSON.stringify(result, null, 2));
      } else {
        const bound = ged.exact ? "exact" : `approximate, lower bound ${ged.lowerBound}`;
        io.out(`GED   ${ged.distance} (${bound})`);
        io.out(`GEDR  ${ged.ratio.toFixed(4)} (gold |V|+|E| = ${ged.goldSize})`);
        const cut = paths.truncated ? ` (path enumeration capped at ${maxPaths})` : "";
        io.out(
          `paths P=${paths.precision.toFixed(4)} R=${paths.recall.toFixed(4)} F1=${paths.f1.toFixed(4)} ` +
            `(${paths.matched} shared of ${paths.predicted} predicted, ${paths.gold} gold)${cut}`,
        );
      }
      return 0;
    });
  },
};
