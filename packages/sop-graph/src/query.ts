import type { SopEdge, SopGraph } from "./graph.js";

/** Where a dialogue stands in an SOP. */
export interface SopPosition {
  /** The last history entry that is an SOP vertex, or the start when there is none. */
  node: string;
  /** Index of that entry in the history; -1 when the position is the start. */
  index: number;
  /** History entries after it that are not SOP vertices (proactive actions, unscripted user states). */
  offSop: string[];
}

/**
 * Locates a dialogue in the SOP from its history of node names (agent actions and user states with their prefixes,
 * e.g. `["Agent.Greet", "User.Hello", "Agent.VerifyIdentity"]`): the latest entry that is a vertex. Entries off the
 * SOP leave the position where it was.
 */
export function locate(graph: SopGraph, history: readonly string[]): SopPosition {
  for (let i = history.length - 1; i >= 0; i--) {
    const node = history[i] as string;
    if (graph.hasNode(node)) return { node, index: i, offSop: history.slice(i + 1).filter((n) => !graph.hasNode(n)) };
  }
  return { node: graph.start, index: -1, offSop: history.filter((n) => !graph.hasNode(n)) };
}

/**
 * The agent actions the SOP allows next from a node: after an agent action, its agent successors and the agent
 * successors of each of its user states (whichever the user answers); after a user state, its agent successors.
 */
export function allowedNextActionsFrom(graph: SopGraph, node: string): string[] {
  const out: string[] = [];
  const add = (name: string) => {
    if (graph.isAgentAction(name) && !out.includes(name)) out.push(name);
  };
  for (const next of graph.successorsOf(node)) {
    if (graph.isUserState(next) && !graph.isUserState(node)) {
      for (const after of graph.successorsOf(next)) add(after);
    } else {
      add(next);
    }
  }
  return out;
}

/** The agent actions the SOP allows next given a dialogue's history (see {@link locate}). */
export function allowedNextActions(graph: SopGraph, history: readonly string[]): string[] {
  return allowedNextActionsFrom(graph, locate(graph, history).node);
}

/** A node's neighbourhood: the nodes up to `depth` edges below it, level by level, and the edges among them. */
export interface LocalSubgraph {
  root: string;
  /** `levels[0]` is `[root]`; `levels[k]` the nodes first reached after k edges. */
  levels: string[][];
  nodes: string[];
  edges: SopEdge[];
  /**
   * The agent actions reached from the root in 1 to `depth` edges, in level order: SGM's SOP-constrained expansion
   * set. The root is one of them when an edge leads back to it (a step the SOP repeats, e.g. asking again after an
   * unclear answer), so every action the SOP allows next is in it.
   */
  actions: string[];
}

/** The subgraph up to `depth` (default 2) levels below a node, as SGM expands it. */
export function localSubgraph(graph: SopGraph, root: string, depth = 2): LocalSubgraph {
  const levels: string[][] = [[root]];
  const seen = new Set([root]);
  let returns = false;
  for (let level = 1; level <= depth; level++) {
    const next: string[] = [];
    for (const node of levels[level - 1] as string[]) {
      for (const child of graph.successorsOf(node)) {
        if (child === root) returns = true;
        if (!seen.has(child)) {
          seen.add(child);
          next.push(child);
        }
      }
    }
    if (next.length === 0) break;
    levels.push(next);
  }
  const nodes = levels.flat();
  const inside = new Set(nodes);
  const frontier = new Set(levels.length > depth ? (levels[depth] as string[]) : []);
  const edges = graph
    .edges()
    .filter(([from, to]) => inside.has(from) && inside.has(to) && !frontier.has(from));
  const actions = nodes.filter((n) => n !== root && graph.isAgentAction(n));
  if (returns && graph.isAgentAction(root)) actions.push(root);
  return { root, levels, nodes, edges, actions };
}

/** The agent actions of a vocabulary that are not on the SOP: the proactive actions. */
export function proactiveActions(graph: SopGraph, vocabulary: readonly string[]): string[] {
  return vocabulary.filter((action) => graph.isAgentAction(action) && !graph.hasNode(action));
}

/** SGM's expansion set at a node: the agent actions of its two-level subgraph, then the proactive actions. */
export function expansionActions(graph: SopGraph, node: string, proactive: readonly string[], depth = 2): string[] {
  const out = [...localSubgraph(graph, node, depth).actions];
  for (const action of proactive) if (!out.includes(action)) out.push(action);
  return out;
}

/** Whether an agent action is controllable: it is a vertex of the SOP. */
export function isControllable(graph: SopGraph, action: string): boolean {
  return graph.isAgentAction(action) && graph.hasNode(action);
}

/** Whether an agent action is proactive: an agent action that is not on the SOP. */
export function isProactive(graph: SopGraph, action: string): boolean {
  return graph.isAgentAction(action) && !graph.hasNode(action);
}

/** Whether a node ends the procedure: the sink, or a vertex with no successors. */
export function isTerminal(graph: SopGraph, node: string): boolean {
  return node === graph.sink || (graph.hasNode(node) && graph.successorsOf(node).length === 0);
}

/** Whether a node is one of the SOP's success marks. */
export function isSuccessMark(graph: SopGraph, node: string): boolean {
  return graph.successMarks.includes(node);
}
