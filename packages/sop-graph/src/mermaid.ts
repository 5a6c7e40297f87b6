import { SopGraph, type SopGraphOptions } from "./graph.js";
import { issue, noErrors, quirk, type SopIssue, type SopReport } from "./issues.js";
import { ENGLISH_NAMING, SOPDAIL_NAMING } from "./naming.js";

/** Options for {@link parseMermaid}. */
export interface ParseMermaidOptions extends SopGraphOptions {
  /** Repair known quirks (a literal `/n` written for a line break, a missing `graph TD` header) and report them. */
  tolerant?: boolean;
}

const HEADER = /^(graph|flowchart)(\s+(TD|TB|BT|LR|RL))?\s*;?$/;
const STYLING = /^(classDef|class|style|linkStyle|click|subgraph|end|direction)\b/;
const BRACKETS: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

interface NodeToken {
  id: string;
  label?: string;
}

class LineScanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** Reads a node: an id, optionally followed by a bracketed label (`id["label"]`, `id[label]`, `id(label)`). */
  node(): NodeToken {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (/\s/.test(ch) || ch === "|" || ch in BRACKETS || this.text.startsWith("--", this.pos) || this.text.startsWith("==", this.pos)) break;
      this.pos++;
    }
    const id = this.text.slice(start, this.pos);
    if (id.length === 0) throw new Error(`expected a node at column ${start + 1}`);
    const open = this.text[this.pos];
    if (open !== undefined && open in BRACKETS) {
      const close = this.text.indexOf(BRACKETS[open] as string, this.pos + 1);
      if (close < 0) throw new Error(`unclosed "${open}" after node "${id}"`);
      let label = this.text.slice(this.pos + 1, close).trim();
      if (label.startsWith('"') && label.endsWith('"') && label.length >= 2) label = label.slice(1, -1);
      this.pos = close + 1;
      return { id, label: unescapeMermaid(label) };
    }
    return { id };
  }

  /** Reads an arrow with an optional label (`-->`, `-->|L|`, `-- L -->`, `==>`, `-.->`); undefined when none. */
  arrow(): { label?: string } | undefined {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    const plain = /^(-->|==>|-\.->|---)/.exec(rest);
    if (plain) {
      this.pos += plain[0].length;
      this.skipSpace();
      if (this.text[this.pos] === "|") {
        const close = this.text.indexOf("|", this.pos + 1);
        if (close < 0) throw new Error("unclosed edge label \"|\"");
        const label = this.text.slice(this.pos + 1, close).trim();
        this.pos = close + 1;
        return { label: unescapeMermaid(label) };
      }
      return {};
    }
    const texted = /^--\s*([^-|][^|]*?)\s*-->/.exec(rest);
    if (texted) {
      this.pos += texted[0].length;
      return { label: unescapeMermaid((texted[1] as string).trim()) };
    }
    return undefined;
  }
}

function unescapeMermaid(text: string): string {
  return text.replaceAll("#quot;", '"');
}

function escapeMermaid(text: string): string {
  return text.replaceAll('"', "#quot;");
}

/**
 * Builds a graph from mermaid `graph TD` / `flowchart TD` text in ChatSOP's convention: agent actions are nodes and
 * a user state is the label of the edge it leads through (`A --> |User.Y| B` means A → User.Y → B). Chains
 * (`A --> B --> C`), `id["label"]` node declarations, comments and styling lines are understood.
 */
export function parseMermaid(text: string, options: ParseMermaidOptions = {}): SopReport {
  const tolerant = options.tolerant ?? false;
  const naming = options.naming ?? (/(^|[\s|])(代理|用户)\./.test(text) ? SOPDAIL_NAMING : ENGLISH_NAMING);
  const graph = new SopGraph({ ...options, naming });
  const issues: SopIssue[] = [];
  let body = text;
  if (body.includes("/n")) {
    issues.push(quirk(tolerant, "mermaid-line-separator", 'the text writes "/n" where a line break is meant; read it as one'));
    body = body.replaceAll("/n", "\n");
  }
  const names = new Map<string, string>();
  const resolve = (token: NodeToken): string => {
    if (token.label !== undefined) names.set(token.id, token.label);
    return names.get(token.id) ?? unescapeMermaid(token.id);
  };
  let sawHeader = false;
  const lines = body.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim().replace(/;$/, "").trim();
    const lineNo = index + 1;
    if (line.length === 0 || line.startsWith("%%")) return;
    if (!sawHeader) {
      sawHeader = true;
      if (HEADER.test(line)) return;
      const missing = quirk(tolerant, "mermaid-header", 'the text does not start with "graph TD" or "flowchart TD"');
      missing.line = lineNo;
      issues.push(missing);
    }
    if (STYLING.test(line)) {
      const styling = issue("warning", "mermaid-syntax", `line ${lineNo} ignored (styling or subgraph): ${line}`);
      styling.line = lineNo;
      issues.push(styling);
      return;
    }
    try {
      const scanner = new LineScanner(line);
      let from = resolve(scanner.node());
      graph.addNode(from);
      while (!scanner.atEnd()) {
        const arrow = scanner.arrow();
        if (!arrow) throw new Error(`expected "-->" at column ${scanner.pos + 1}`);
        const to = resolve(scanner.node());
        if (arrow.label !== undefined && arrow.label.length > 0) {
          let label = arrow.label;
          const kind = graph.kindOf(label);
          if (kind !== "user") {
            const prefixed = `${naming.userPrefix}.${label}`;
            const repairable = kind === "unknown" && tolerant;
            const bad = repairable
              ? issue("repaired", "mermaid-label-not-user-state", `line ${lineNo}: edge label "${label}" has no role prefix; read it as "${prefixed}"`, [label, prefixed])
              : issue(
                  "error",
                  "mermaid-label-not-user-state",
                  `line ${lineNo}: edge label "${label}" is not a user state (${naming.userPrefix}.…)`,
                  [label],
                );
            bad.line = lineNo;
            issues.push(bad);
            if (repairable) label = prefixed;
          }
          graph.addEdge(from, label);
          graph.addEdge(label, to);
        } else {
          graph.addEdge(from, to);
        }
        from = to;
      }
    } catch (error) {
      const bad = issue("error", "mermaid-syntax", `line ${lineNo}: ${(error as Error).message}: ${line}`);
      bad.line = lineNo;
      issues.push(bad);
    }
  });
  if (!sawHeader) issues.push(quirk(tolerant, "mermaid-header", "the mermaid text is empty"));
  return { graph, issues, ok: noErrors(issues) };
}

/**
 * Serialises a graph as mermaid `graph TD` text in ChatSOP's convention. A user state with agent-action
 * predecessors and successors becomes edge labels (`A -->|User.Y| B`, one line per predecessor × successor); any
 * other edge is written plainly, and isolated nodes stand alone, so {@link parseMermaid} gives back the same graph.
 * Names with spaces or mermaid punctuation are declared as `nK["name"]`.
 */
export function toMermaid(graph: SopGraph): string {
  const ids = new Map<string, string>();
  const declared = new Set<string>();
  let counter = 0;
  for (const node of graph.nodes()) {
    const plain = /^[^\s|[\](){}"";]+$/.test(node) && !node.includes("--") && !node.includes("==") && !node.startsWith("%%");
    ids.set(node, plain ? node : `n${counter++}`);
  }
  const ref = (node: string): string => {
    const id = ids.get(node) as string;
    if (id === node || declared.has(node)) return id;
    declared.add(node);
    return `${id}["${escapeMermaid(node)}"]`;
  };
  const labelRef = (node: string): string => escapeMermaid(node);
  const canLabel = (name: string): boolean =>
    graph.isUserState(name) && !/[|]/.test(name) && graph.successorsOf(name).some((s) => !graph.isUserState(s));

  const lines = ["graph TD"];
  const mentioned = new Set<string>();
  const emit = (line: string, ...nodes: string[]) => {
    lines.push(`  ${line}`);
    for (const node of nodes) mentioned.add(node);
  };
  for (const from of graph.nodes()) {
    const fromIsLabelled = canLabel(from) && graph.predecessorsOf(from).some((p) => !graph.isUserState(p));
    for (const to of graph.successorsOf(from)) {
      if (graph.isUserState(from) && fromIsLabelled && !graph.isUserState(to)) continue; // written as a label
      if (!graph.isUserState(from) && canLabel(to)) {
        for (const next of graph.successorsOf(to)) {
          if (!graph.isUserState(next)) emit(`${ref(from)} -->|${labelRef(to)}| ${ref(next)}`, from, to, next);
        }
        continue;
      }
      emit(`${ref(from)} --> ${ref(to)}`, from, to);
    }
  }
  for (const node of graph.nodes()) if (!mentioned.has(node)) emit(ref(node), node);
  return lines.join("\n");
}
