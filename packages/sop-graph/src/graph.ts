import { ENGLISH_NAMING, nodeKind, nodeLabel, type SopNaming, type SopNodeKind } from "./naming.js";

/** Options for a new {@link SopGraph}. */
export interface SopGraphOptions {
  /** Role prefixes and start/sink names (default: the English `Agent.`/`User.` convention). */
  naming?: SopNaming;
  /** Label → English gloss, used by {@link SopGraph.gloss} (e.g. SOPDAIL's `SOPDAIL_GLOSS`). */
  gloss?: Readonly<Record<string, string>>;
  /** Nodes whose occurrence marks the task as achieved. */
  successMarks?: readonly string[];
}

/** A directed edge `[from, to]`. */
export type SopEdge = readonly [from: string, to: string];

/**
 * A Standard Operating Procedure: a directed graph over agent actions (`Agent.X`) and user states (`User.Y`). Node
 * names may be any Unicode text; nodes and successors keep their insertion order, so serialisation is stable.
 */
export class SopGraph {
  readonly naming: SopNaming;
  readonly glossTable: Readonly<Record<string, string>>;
  successMarks: string[];
  private readonly successors = new Map<string, string[]>();
  private predecessorCache: Map<string, string[]> | undefined;

  constructor(options: SopGraphOptions = {}) {
    this.naming = options.naming ?? ENGLISH_NAMING;
    this.glossTable = options.gloss ?? {};
    this.successMarks = [...(options.successMarks ?? [])];
  }

  /** Builds a graph from `[from, to]` pairs (nodes in order of first mention). */
  static fromEdges(edges: Iterable<SopEdge>, options: SopGraphOptions = {}): SopGraph {
    const graph = new SopGraph(options);
    for (const [from, to] of edges) graph.addEdge(from, to);
    return graph;
  }

  /** Adds a node (no-op when present); returns the graph. */
  addNode(name: string): this {
    if (name.length === 0) throw new Error("an SOP node name must not be empty");
    if (!this.successors.has(name)) {
      this.successors.set(name, []);
      this.predecessorCache = undefined;
    }
    return this;
  }

  /** Adds an edge and its nodes; a duplicate edge is ignored. Returns whether the edge was new. */
  addEdge(from: string, to: string): boolean {
    this.addNode(from).addNode(to);
    const out = this.successors.get(from) as string[];
    if (out.includes(to)) return false;
    out.push(to);
    this.predecessorCache = undefined;
    return true;
  }

  /** Removes an edge; returns whether it existed. */
  removeEdge(from: string, to: string): boolean {
    const out = this.successors.get(from);
    const index = out?.indexOf(to) ?? -1;
    if (!out || index < 0) return false;
    out.splice(index, 1);
    this.predecessorCache = undefined;
    return true;
  }

  /** Whether the node exists. */
  hasNode(name: string): boolean {
    return this.successors.has(name);
  }

  /** Whether the edge exists. */
  hasEdge(from: string, to: string): boolean {
    return this.successors.get(from)?.includes(to) ?? false;
  }

  /** Every node in insertion order. */
  nodes(): string[] {
    return [...this.successors.keys()];
  }

  /** Every edge, grouped by source in insertion order. */
  edges(): SopEdge[] {
    const out: SopEdge[] = [];
    for (const [from, tos] of this.successors) for (const to of tos) out.push([from, to]);
    return out;
  }

  /** Number of nodes. */
  get nodeCount(): number {
    return this.successors.size;
  }

  /** Number of edges. */
  get edgeCount(): number {
    let count = 0;
    for (const tos of this.successors.values()) count += tos.length;
    return count;
  }

  /** The start node's name under this graph's naming. */
  get start(): string {
    return this.naming.start;
  }

  /** The sink node's name under this graph's naming. */
  get sink(): string {
    return this.naming.sink;
  }

  /** Successors of a node in insertion order (empty for an unknown node). */
  successorsOf(name: string): readonly string[] {
    return this.successors.get(name) ?? [];
  }

  /** Predecessors of a node (empty for an unknown node). */
  predecessorsOf(name: string): readonly string[] {
    if (!this.predecessorCache) {
      const cache = new Map<string, string[]>();
      for (const node of this.successors.keys()) cache.set(node, []);
      for (const [from, tos] of this.successors) for (const to of tos) cache.get(to)?.push(from);
      this.predecessorCache = cache;
    }
    return this.predecessorCache.get(name) ?? [];
  }

  /** Whether a name is an agent action, a user state or neither, by its prefix. */
  kindOf(name: string): SopNodeKind {
    return nodeKind(name, this.naming);
  }

  /** Whether a name is an agent action by its prefix. */
  isAgentAction(name: string): boolean {
    return this.kindOf(name) === "agent";
  }

  /** Whether a name is a user state by its prefix. */
  isUserState(name: string): boolean {
    return this.kindOf(name) === "user";
  }

  /** The name without its role prefix. */
  labelOf(name: string): string {
    return nodeLabel(name, this.naming);
  }

  /** An English reading of a node through the attached gloss table (`代理.核对身份` → `Agent.verify identity`). */
  gloss(name: string): string {
    const kind = this.kindOf(name);
    const label = this.labelOf(name);
    const glossed = this.glossTable[label] ?? label;
    if (kind === "agent") return `Agent.${glossed}`;
    if (kind === "user") return `User.${glossed}`;
    return this.glossTable[name] ?? name;
  }

  /** A deep copy (same naming, gloss and success marks). */
  clone(): SopGraph {
    const copy = new SopGraph({ naming: this.naming, gloss: this.glossTable, successMarks: this.successMarks });
    for (const node of this.successors.keys()) copy.addNode(node);
    for (const [from, to] of this.edges()) copy.addEdge(from, to);
    return copy;
  }

  /** Whether two graphs have the same node set and edge set (order ignored). */
  sameStructure(other: SopGraph): boolean {
    if (this.nodeCount !== other.nodeCount || this.edgeCount !== other.edgeCount) return false;
    for (const node of this.successors.keys()) if (!other.hasNode(node)) return false;
    return this.edges().every(([from, to]) => other.hasEdge(from, to));
  }
}
