import type { SopGraph } from "./graph.js";
import { issue, noErrors, quirk, type SopIssue, type SopReport } from "./issues.js";

/** Options for {@link validateSop}. */
export interface ValidateSopOptions {
  /**
   * Repair SOPDAIL's structural quirk instead of failing: a second source (a vertex nothing leads to, other than
   * the start) is linked from the start as an alternative first step. Reported as `repaired`. Default false.
   */
  tolerant?: boolean;
}

/** Every node reachable from `from` following edges forward (or backward with `reverse`). */
export function reachableFrom(graph: SopGraph, from: string, reverse = false): Set<string> {
  const seen = new Set<string>();
  if (!graph.hasNode(from)) return seen;
  const stack = [from];
  seen.add(from);
  while (stack.length > 0) {
    const node = stack.pop() as string;
    for (const next of reverse ? graph.predecessorsOf(node) : graph.successorsOf(node)) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

const quoted = (nodes: readonly string[]) => nodes.map((n) => `"${n}"`).join(", ");

/**
 * Checks an SOP and returns a (possibly repaired) copy with every finding: names with neither role prefix, a
 * missing start or sink, more than one source, vertices unreachable from the start, vertices that cannot reach
 * the sink, a user state followed directly by a user state, edges into the start or out of the sink, and success
 * marks that are not vertices. The input graph is not modified.
 */
export function validateSop(input: SopGraph, options: ValidateSopOptions = {}): SopReport {
  const tolerant = options.tolerant ?? false;
  const graph = input.clone();
  const issues: SopIssue[] = [];
  const { start, sink } = graph;

  const unknownRole = graph.nodes().filter((n) => graph.kindOf(n) === "unknown");
  if (unknownRole.length > 0) {
    issues.push(
      issue(
        "error",
        "unknown-role",
        `unknown vertices (neither "${graph.naming.agentPrefix}." nor "${graph.naming.userPrefix}."): ${quoted(unknownRole)}`,
        unknownRole,
      ),
    );
  }
  const hasStart = graph.hasNode(start);
  const hasSink = graph.hasNode(sink);
  if (!hasStart) issues.push(issue("error", "missing-start", `the start "${start}" is missing`, [start]));
  if (!hasSink) issues.push(issue("error", "missing-sink", `the sink "${sink}" is missing`, [sink]));

  if (hasStart) {
    const extraSources = graph.nodes().filter((n) => n !== start && graph.predecessorsOf(n).length === 0);
    if (extraSources.length > 0) {
      if (tolerant) for (const source of extraSources) graph.addEdge(start, source);
      issues.push(
        quirk(
          tolerant,
          "multiple-sources",
          tolerant
            ? `more than one source: ${quoted(extraSources)} besides the start; linked the start to each as an alternative first step`
            : `more than one source: ${quoted(extraSources)} besides the start "${start}"`,
          extraSources,
        ),
      );
    }
    if (graph.predecessorsOf(start).length > 0) {
      const into = [...graph.predecessorsOf(start)];
      issues.push(issue("warning", "start-has-predecessors", `edges lead back into the start from ${quoted(into)}`, into));
    }
    const reached = reachableFrom(graph, start);
    const unreachable = graph.nodes().filter((n) => !reached.has(n));
    if (unreachable.length > 0) {
      issues.push(issue("error", "unreachable", `vertices unreachable from the start "${start}": ${quoted(unreachable)}`, unreachable));
    }
  }
  if (hasSink) {
    const reaching = reachableFrom(graph, sink, true);
    const stuck = graph.nodes().filter((n) => !reaching.has(n));
    if (stuck.length > 0) {
      issues.push(issue("error", "cannot-reach-sink", `vertices that cannot reach the sink "${sink}": ${quoted(stuck)}`, stuck));
    }
    if (graph.successorsOf(sink).length > 0) {
      const out = [...graph.successorsOf(sink)];
      issues.push(issue("warning", "sink-has-successors", `the sink "${sink}" has successors ${quoted(out)}`, out));
    }
  }
  for (const [from, to] of graph.edges()) {
    if (graph.isUserState(from) && graph.isUserState(to)) {
      issues.push(issue("error", "user-after-user", `user state "${from}" is followed by user state "${to}"`, [from, to]));
    }
  }
  const unknownMarks = graph.successMarks.filter((mark) => !graph.hasNode(mark));
  if (unknownMarks.length > 0) {
    issues.push(issue("warning", "unknown-success-mark", `success marks that are not vertices: ${quoted(unknownMarks)}`, unknownMarks));
  }
  return { graph, issues, ok: noErrors(issues) };
}
