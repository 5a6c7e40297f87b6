import type { SopGraph } from "./graph.js";

/** How serious an issue is: `error` makes the SOP invalid, `repaired` is a quirk fixed in tolerant mode. */
export type SopIssueSeverity = "error" | "warning" | "repaired";

/** Machine-readable kinds of SOP issues. */
export type SopIssueCode =
  | "unknown-role"
  | "undeclared-vertex"
  | "unlinked-vertex"
  | "successor-only"
  | "duplicate-vertex"
  | "duplicate-successor"
  | "missing-start"
  | "missing-sink"
  | "unreachable"
  | "cannot-reach-sink"
  | "user-after-user"
  | "multiple-sources"
  | "start-has-predecessors"
  | "sink-has-successors"
  | "mermaid-header"
  | "mermaid-line-separator"
  | "mermaid-syntax"
  | "mermaid-label-not-user-state"
  | "representations-disagree"
  | "unknown-success-mark"
  | "renamed-node";

/** One finding about an SOP, with the nodes it concerns. */
export interface SopIssue {
  code: SopIssueCode;
  severity: SopIssueSeverity;
  message: string;
  nodes?: string[];
  /** 1-based line of mermaid text, where the issue comes from one. */
  line?: number;
}

/** A graph with what was found (and, in tolerant mode, repaired) while parsing and validating it. */
export interface SopReport {
  graph: SopGraph;
  issues: SopIssue[];
  /** True when no issue has severity `error`. */
  ok: boolean;
}

/** Input that cannot be read as an SOP at all (not an object, wrong field type…); names the source and field. */
export class SopFormatError extends Error {
  constructor(
    message: string,
    readonly source?: string,
    readonly field?: string,
  ) {
    super(`${source ? `${source}: ` : ""}${field ? `field ${field}: ` : ""}${message}`);
    this.name = "SopFormatError";
  }
}

/** An issue that is an error in strict mode and a reported repair in tolerant mode. */
export function quirk(tolerant: boolean, code: SopIssueCode, message: string, nodes?: string[]): SopIssue {
  const issue: SopIssue = { code, severity: tolerant ? "repaired" : "error", message };
  if (nodes) issue.nodes = nodes;
  return issue;
}

/** An issue of fixed severity. */
export function issue(severity: SopIssueSeverity, code: SopIssueCode, message: string, nodes?: string[]): SopIssue {
  const out: SopIssue = { code, severity, message };
  if (nodes) out.nodes = nodes;
  return out;
}

/** Whether a list of issues has no error. */
export function noErrors(issues: readonly SopIssue[]): boolean {
  return issues.every((i) => i.severity !== "error");
}

/** Counts issues by `severity:code`, e.g. `{ "repaired:successor-only": 9 }`. */
export function countIssues(issues: readonly SopIssue[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of issues) counts[`${i.severity}:${i.code}`] = (counts[`${i.severity}:${i.code}`] ?? 0) + 1;
  return counts;
}
