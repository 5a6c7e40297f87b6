import { z } from "zod";
import { SopGraph, type SopGraphOptions } from "./graph.js";
import { SopFormatError, noErrors, quirk, type SopIssue, type SopReport } from "./issues.js";
import { detectNaming } from "./naming.js";

/** An adjacency list as JSON: node → successors. */
export const AdjacencyListSchema = z.record(z.string().min(1), z.array(z.string().min(1)));
/** An adjacency list as JSON: node → successors. */
export type AdjacencyList = z.infer<typeof AdjacencyListSchema>;

/** Options for {@link parseAdjacencyList}. */
export interface ParseAdjacencyOptions extends SopGraphOptions {
  /** The declared vertex list (SOPDAIL's `vertex`), checked against the adjacency list when given. */
  vertex?: readonly string[];
  /** Repair SOPDAIL's quirks and report them as `repaired` instead of failing (default false). */
  tolerant?: boolean;
  /** Where the value came from, for error messages (a file name). */
  source?: string;
}

/** Validates a value with a zod schema, raising a {@link SopFormatError} that names the source and field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, source?: string, prefix = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const path = first?.path.map(String).join(".") ?? "";
  const field = [prefix, path].filter(Boolean).join(".") || "(root)";
  throw new SopFormatError(first?.message ?? "invalid value", source, field);
}

/**
 * Builds a graph from an adjacency list (node → successors). Quirks found on the way — a vertex named only as a
 * successor, duplicate successors, a vertex list that disagrees with the adjacency list, duplicate declared
 * vertices — are errors in strict mode and reported repairs in tolerant mode. Structural problems (not an object,
 * a successor list that is not a list of names) raise a {@link SopFormatError} naming the field.
 */
export function parseAdjacencyList(value: unknown, options: ParseAdjacencyOptions = {}): SopReport {
  const adjacency = parseWith(AdjacencyListSchema, value, options.source, "adjacency_list");
  const tolerant = options.tolerant ?? false;
  const declared = options.vertex ? [...options.vertex] : undefined;
  const naming = options.naming ?? detectNaming([...Object.keys(adjacency), ...(declared ?? [])]);
  const graph = new SopGraph({ ...options, naming });
  const issues: SopIssue[] = [];

  for (const node of Object.keys(adjacency)) graph.addNode(node);
  const successorOnly: string[] = [];
  for (const [from, tos] of Object.entries(adjacency)) {
    for (const to of tos) {
      if (!Object.hasOwn(adjacency, to) && !successorOnly.includes(to)) successorOnly.push(to);
      if (!graph.addEdge(from, to)) {
        issues.push(quirk(tolerant, "duplicate-successor", `"${from}" lists successor "${to}" more than once`, [from, to]));
      }
    }
  }
  for (const node of successorOnly) {
    issues.push(
      quirk(
        tolerant,
        "successor-only",
        tolerant
          ? `"${node}" appears only as a successor; added it as a vertex with no successors`
          : `"${node}" appears only as a successor and has no entry of its own`,
        [node],
      ),
    );
  }

  if (declared) {
    const seen = new Set<string>();
    for (const node of declared) {
      if (seen.has(node)) issues.push(quirk(tolerant, "duplicate-vertex", `vertex "${node}" is declared more than once`, [node]));
      seen.add(node);
      if (!graph.hasNode(node)) {
        graph.addNode(node);
        issues.push(quirk(tolerant, "unlinked-vertex", `vertex "${node}" is declared but absent from the adjacency list`, [node]));
      }
    }
    const undeclared = graph.nodes().filter((node) => !seen.has(node));
    if (undeclared.length > 0) {
      issues.push(
        quirk(tolerant, "undeclared-vertex", `unknown vertices (used but not in the vertex list): ${undeclared.map((n) => `"${n}"`).join(", ")}`, undeclared),
      );
    }
  }
  return { graph, issues, ok: noErrors(issues) };
}

/** Serialises a graph as an adjacency list with an entry for every node (the sink gets `[]`). */
export function toAdjacencyList(graph: SopGraph): AdjacencyList {
  const out: AdjacencyList = {};
  for (const node of graph.nodes()) out[node] = [...graph.successorsOf(node)];
  return out;
}
