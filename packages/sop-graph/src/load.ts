import { existsSync, readFileSync, statSync } from "node:fs";
import { SOPDAIL_GLOSS, type SopdailTask } from "@foresight/dialogue";
import { z } from "zod";
import { AdjacencyListSchema, parseAdjacencyList, parseWith } from "./adjacency.js";
import type { SopGraphOptions } from "./graph.js";
import { SopFormatError, issue, noErrors, type SopIssue, type SopReport } from "./issues.js";
import { parseMermaid } from "./mermaid.js";
import { SOPDAIL_NAMING } from "./naming.js";
import { validateSop } from "./validate.js";

/** The representations an SOP may come in; the adjacency list wins when both are given. */
export interface SopSource {
  /** Node → successors (JSON). */
  adjacencyList?: unknown;
  /** Mermaid `graph TD` text. */
  mermaid?: string;
  /** The declared vertex list, checked against the adjacency list. */
  vertex?: readonly string[];
  /** Nodes that mark the task as achieved. */
  successMarks?: readonly string[];
}

/** Options for {@link loadSop}. */
export interface LoadSopOptions extends SopGraphOptions {
  /** Repair SOPDAIL's quirks and report them instead of failing (default false). */
  tolerant?: boolean;
  /** Where the SOP came from (a file name), for messages. */
  source?: string;
}

function edgeKey(edge: readonly [string, string]): string {
  return `${edge[0]} → ${edge[1]}`;
}

/**
 * Parses an SOP from an adjacency list and/or mermaid text, then validates it. When both are given the adjacency
 * list is the graph and the mermaid text is cross-checked: a disagreement is reported as a warning listing the
 * edges found in only one of them.
 */
export function loadSop(source: SopSource, options: LoadSopOptions = {}): SopReport {
  const graphOptions: SopGraphOptions = { ...options };
  if (source.successMarks) graphOptions.successMarks = source.successMarks;
  const tolerant = options.tolerant ?? false;
  let parsed: SopReport;
  if (source.adjacencyList !== undefined) {
    const adjacencyOptions = { ...graphOptions, tolerant, ...(options.source ? { source: options.source } : {}) };
    parsed = parseAdjacencyList(source.adjacencyList, source.vertex ? { ...adjacencyOptions, vertex: source.vertex } : adjacencyOptions);
  } else if (source.mermaid !== undefined) {
    parsed = parseMermaid(source.mermaid, { ...graphOptions, tolerant });
  } else {
    throw new SopFormatError("neither an adjacency list nor mermaid text was given", options.source);
  }
  const issues: SopIssue[] = [...parsed.issues];
  if (source.adjacencyList !== undefined && source.mermaid !== undefined) {
    const fromMermaid = parseMermaid(source.mermaid, { ...graphOptions, naming: parsed.graph.naming, tolerant });
    for (const found of fromMermaid.issues) issues.push({ ...found, message: `mermaid text: ${found.message}` });
    const inAdjacency = new Set(parsed.graph.edges().map(edgeKey));
    const inMermaid = new Set(fromMermaid.graph.edges().map(edgeKey));
    const onlyAdjacency = [...inAdjacency].filter((e) => !inMermaid.has(e));
    const onlyMermaid = [...inMermaid].filter((e) => !inAdjacency.has(e));
    if (onlyAdjacency.length + onlyMermaid.length > 0) {
      issues.push(
        issue(
          "warning",
          "representations-disagree",
          `the mermaid text and the adjacency list disagree (the adjacency list is used): only in the adjacency list: ${
            onlyAdjacency.join("; ") || "none"
          }; only in the mermaid text: ${onlyMermaid.join("; ") || "none"}`,
        ),
      );
    }
  }
  const validated = validateSop(parsed.graph, { tolerant });
  issues.push(...validated.issues);
  return { graph: validated.graph, issues, ok: noErrors(issues) };
}

/** Options for {@link sopFromSopdailTask}. */
export interface SopdailSopOptions {
  /** Tolerant mode (default true: SOPDAIL has known quirks). */
  tolerant?: boolean;
}

/** The SOP of a SOPDAIL task (its adjacency list, cross-checked with its mermaid text), with the SOPDAIL glossary. */
export function sopFromSopdailTask(task: SopdailTask, options: SopdailSopOptions = {}): SopReport {
  return loadSop(
    { adjacencyList: task.sop.adjacencyList, mermaid: task.sop.mermaid, vertex: task.sop.vertex, successMarks: task.successMarks },
    { naming: SOPDAIL_NAMING, gloss: SOPDAIL_GLOSS, tolerant: options.tolerant ?? true, source: task.file },
  );
}

const SopObjectSchema = z.object({
  adjacency_list: AdjacencyListSchema,
  vertex: z.array(z.string()).optional(),
  mermaid: z.string().optional(),
});

const SuccessMarksSchema = z.union([z.string(), z.array(z.string())]).optional();

/** What kind of file {@link readSopFile} found. */
export type SopFileKind = "sopdail-task" | "sop-object" | "adjacency-list" | "mermaid";

/**
 * Reads an SOP file: a SOPDAIL task (`{sop: {vertex, mermaid, adjacency_list}, conversation_profile: {成功标记}}`),
 * an SOP object (`{adjacency_list, vertex?, mermaid?}`), a plain adjacency list (`{node: [successors]}`), or mermaid
 * text. Errors name the file and field.
 */
export function readSopFile(file: string, options: LoadSopOptions = {}): SopReport & { kind: SopFileKind } {
  if (!existsSync(file)) throw new SopFormatError("file not found", file);
  if (!statSync(file).isFile()) throw new SopFormatError("not a regular file", file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SopFormatError(`cannot be read: ${(error as Error).message}`, file);
  }
  const trimmed = text.trimStart();
  const withSource = { ...options, source: file };
  if (!trimmed.startsWith("{")) {
    if (/^(graph|flowchart)\b/.test(trimmed)) return { ...loadSop({ mermaid: text }, withSource), kind: "mermaid" };
    throw new SopFormatError("expected JSON (an SOPDAIL task, an SOP object or an adjacency list) or mermaid text", file);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SopFormatError(`malformed JSON: ${(error as Error).message}`, file);
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "sop")) {
    const sop = parseWith(SopObjectSchema, record.sop, file, "sop");
    const profile = record.conversation_profile as Record<string, unknown> | undefined;
    const marks = parseWith(SuccessMarksSchema, profile?.["成功标记"], file, "conversation_profile.成功标记");
    const source = toSource(sop, marks);
    const defaults = { naming: SOPDAIL_NAMING, gloss: SOPDAIL_GLOSS, tolerant: true };
    return { ...loadSop(source, { ...defaults, ...withSource }), kind: "sopdail-task" };
  }
  if (Object.hasOwn(record, "adjacency_list")) {
    const sop = parseWith(SopObjectSchema, record, file);
    return { ...loadSop(toSource(sop, undefined), withSource), kind: "sop-object" };
  }
  return { ...loadSop({ adjacencyList: value }, withSource), kind: "adjacency-list" };
}

function toSource(sop: z.infer<typeof SopObjectSchema>, marks: string | string[] | undefined): SopSource {
  const source: SopSource = { adjacencyList: sop.adjacency_list };
  if (sop.vertex) source.vertex = sop.vertex;
  if (sop.mermaid !== undefined) source.mermaid = sop.mermaid;
  if (marks !== undefined) source.successMarks = typeof marks === "string" ? [marks] : marks;
  return source;
}
