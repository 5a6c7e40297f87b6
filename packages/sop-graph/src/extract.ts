import { AdjacencyListSchema, parseWith, type AdjacencyList } from "./adjacency.js";
import { SopFormatError } from "./issues.js";

/** What could be read from a model's answer: an adjacency list, or failing that mermaid text. */
export type ExtractedSop = { kind: "adjacency"; adjacencyList: AdjacencyList } | { kind: "mermaid"; mermaid: string };

/** The text of every fenced code block, in order. */
function fencedBlocks(text: string): { lang: string; body: string }[] {
  const out: { lang: string; body: string }[] = [];
  const fence = /```([\w-]*)[^\n]*\n([\s\S]*?)```/g;
  for (let match = fence.exec(text); match; match = fence.exec(text)) out.push({ lang: match[1] ?? "", body: match[2] ?? "" });
  return out;
}

/** Every top-level balanced `{…}` span, skipping braces inside JSON strings. */
function braceSpans(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "}" && depth > 0) {
      depth--;
      if (depth === 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}

/** Lenient JSON: also accepts smart quotes, `//` comments and trailing commas, which models often produce. */
function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const cleaned = text
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/^\s*\/\/.*$/gm, "")
      .replace(/,\s*([}\]])/g, "$1");
    return JSON.parse(cleaned);
  }
}

/** Unwraps `{adjacency_list: …}`, `{sop: {adjacency_list: …}}` and `{adjacencyList: …}` envelopes. */
function unwrap(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (record.adjacency_list !== undefined) return record.adjacency_list;
  if (record.adjacencyList !== undefined) return record.adjacencyList;
  if (typeof record.sop === "object" && record.sop !== null) return unwrap(record.sop);
  return value;
}

/**
 * Reads an SOP from a model's answer: the first fenced block or balanced `{…}` span that parses (leniently) as an
 * adjacency list, possibly wrapped in `{adjacency_list}` or `{sop: {adjacency_list}}`; else mermaid text in a
 * fenced block or starting with `graph`/`flowchart`. Throws a {@link SopFormatError} saying what was wrong.
 */
export function extractSop(text: string, source = "model answer"): ExtractedSop {
  const blocks = fencedBlocks(text);
  const candidates = [...blocks.filter((b) => b.lang !== "mermaid").map((b) => b.body.trim()), ...braceSpans(text)];
  let lastError: Error | undefined;
  for (const candidate of candidates) {
    for (const span of candidate.startsWith("{") ? [candidate] : braceSpans(candidate)) {
      let value: unknown;
      try {
        value = parseLenientJson(span);
      } catch (error) {
        lastError = new SopFormatError(`malformed JSON: ${(error as Error).message}`, source);
        continue;
      }
      try {
        return { kind: "adjacency", adjacencyList: parseWith(AdjacencyListSchema, unwrap(value), source, "adjacency_list") };
      } catch (error) {
        lastError = error as Error;
      }
    }
  }
  const mermaidBlock = blocks.find((b) => b.lang === "mermaid" || /^\s*(graph|flowchart)\b/.test(b.body));
  if (mermaidBlock) return { kind: "mermaid", mermaid: mermaidBlock.body };
  const bare = /(^|\n)\s*((graph|flowchart)\b[\s\S]*)$/.exec(text);
  if (bare?.[2]) return { kind: "mermaid", mermaid: bare[2] };
  throw lastError ?? new SopFormatError("no JSON object or mermaid graph found", source);
}
