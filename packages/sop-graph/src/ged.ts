import { solveAssignment } from "./assignment.js";
import type { SopGraph } from "./graph.js";

/** A directed graph with one label per node; edges are `[from, to]` node indices (no duplicates). */
export interface LabelledDigraph {
  labels: readonly string[];
  edges: readonly (readonly [number, number])[];
}

/** Options for {@link graphEditDistance}. */
export interface GedOptions {
  /** Search exactly when neither graph has more nodes than this (default 12); otherwise approximate. */
  maxExactNodes?: number;
  /** Give up the exact search after this many search-tree expansions and return the best found (default 500,000). */
  maxExpansions?: number;
}

/** A graph edit distance with how it was obtained. */
export interface GedResult {
  /** The cost of the best edit path found (an upper bound; the exact distance when `exact`). */
  distance: number;
  /** True when `distance` is proven optimal. */
  exact: boolean;
  /** A proven lower bound on the distance (equal to `distance` when exact). */
  lowerBound: number;
  /** `exact`: branch and bound finished; `bounded`: the heuristic's cost met the lower bound; `approximate`: neither. */
  method: "exact" | "bounded" | "approximate";
  /** Node mapping of the best edit path: `mapping[i]` = index in the second graph, or -1 for a deleted node. */
  mapping: number[];
  expansions: number;
}

interface Prepared {
  n: number;
  labels: Int32Array;
  adj: Uint8Array; // n*n, adj[u*n+v] = 1 when u → v
  edgeCount: number;
  outDeg: Int32Array;
  inDeg: Int32Array;
}

function prepare(graph: LabelledDigraph, labelIds: Map<string, number>): Prepared {
  const n = graph.labels.length;
  const labels = new Int32Array(n);
  graph.labels.forEach((label, i) => {
    if (!labelIds.has(label)) labelIds.set(label, labelIds.size);
    labels[i] = labelIds.get(label) as number;
  });
  const adj = new Uint8Array(n * n);
  const outDeg = new Int32Array(n);
  const inDeg = new Int32Array(n);
  let edgeCount = 0;
  for (const [u, v] of graph.edges) {
    if (u < 0 || v < 0 || u >= n || v >= n) throw new Error(`edge [${u}, ${v}] names a node outside 0..${n - 1}`);
    if (adj[u * n + v]) continue;
    adj[u * n + v] = 1;
    outDeg[u] = (outDeg[u] as number) + 1;
    inDeg[v] = (inDeg[v] as number) + 1;
    edgeCount++;
  }
  return { n, labels, adj, edgeCount, outDeg, inDeg };
}

/** The exact cost of the edit path induced by a node mapping (`mapping[i]` in g2 or -1), under unit costs. */
function mappingCost(g1: Prepared, g2: Prepared, mapping: readonly number[]): number {
  let cost = 0;
  const used = new Uint8Array(g2.n);
  for (let u = 0; u < g1.n; u++) {
    const v = mapping[u] as number;
    if (v < 0) cost += 1;
    else {
      used[v] = 1;
      if (g1.labels[u] !== g2.labels[v]) cost += 1;
    }
  }
  for (let v = 0; v < g2.n; v++) if (!used[v]) cost += 1;
  let covered = 0;
  for (let u = 0; u < g1.n; u++) {
    const fu = mapping[u] as number;
    for (let w = 0; w < g1.n; w++) {
      const e1 = g1.adj[u * g1.n + w] as number;
      const fw = mapping[w] as number;
      if (fu < 0 || fw < 0) {
        cost += e1;
        continue;
      }
      const e2 = g2.adj[fu * g2.n + fw] as number;
      covered += e2;
      if (e1 !== e2) cost += 1;
    }
  }
  return cost + (g2.edgeCount - covered);
}

/** Lower bound from label multisets and edge counts alone (valid for the whole problem). */
function rootLowerBound(g1: Prepared, g2: Prepared, labelCount: number): number {
  const c1 = new Int32Array(labelCount);
  const c2 = new Int32Array(labelCount);
  for (const l of g1.labels) c1[l] = (c1[l] as number) + 1;
  for (const l of g2.labels) c2[l] = (c2[l] as number) + 1;
  let common = 0;
  for (let l = 0; l < labelCount; l++) common += Math.min(c1[l] as number, c2[l] as number);
  return Math.abs(g1.n - g2.n) + Math.min(g1.n, g2.n) - common + Math.abs(g1.edgeCount - g2.edgeCount);
}

/**
 * Riesen–Bunke bipartite assignment over branch costs: node cost plus half the in- and out-degree differences
 * (deleting or inserting a node costs 1 plus half its degree). Every edge edit touches two branches, so the optimal
 * assignment cost is also a lower bound on the GED (the "branch" bound); its mapping seeds the upper bound.
 */
function bipartiteMapping(g1: Prepared, g2: Prepared): { mapping: number[]; lowerBound: number } {
  const size = g1.n + g2.n;
  const cost: number[][] = [];
  for (let i = 0; i < size; i++) {
    const row = new Array<number>(size).fill(Number.POSITIVE_INFINITY);
    for (let j = 0; j < size; j++) {
      if (i < g1.n && j < g2.n) {
        const label = g1.labels[i] === g2.labels[j] ? 0 : 1;
        const degree =
          Math.abs((g1.outDeg[i] as number) - (g2.outDeg[j] as number)) + Math.abs((g1.inDeg[i] as number) - (g2.inDeg[j] as number));
        row[j] = label + degree / 2;
      } else if (i < g1.n && j === g2.n + i) {
        row[j] = 1 + ((g1.outDeg[i] as number) + (g1.inDeg[i] as number)) / 2;
      } else if (i >= g1.n && j === i - g1.n) {
        row[j] = 1 + ((g2.outDeg[j] as number) + (g2.inDeg[j] as number)) / 2;
      } else if (i >= g1.n && j >= g2.n) {
        row[j] = 0;
      }
    }
    cost.push(row);
  }
  const assignment = solveAssignment(cost);
  let total = 0;
  assignment.forEach((j, i) => (total += (cost[i] as number[])[j] as number));
  const mapping = Array.from({ length: g1.n }, (_, i) => ((assignment[i] as number) < g2.n ? (assignment[i] as number) : -1));
  // costs are multiples of 1/2; the GED is an integer, so the bound rounds up (with a guard against float noise)
  return { mapping, lowerBound: Math.ceil(total - 1e-9) };
}

/** Maps equal labels to each other in order, deleting the rest. */
function labelMapping(g1: Prepared, g2: Prepared): number[] {
  const used = new Uint8Array(g2.n);
  return Array.from({ length: g1.n }, (_, u) => {
    for (let v = 0; v < g2.n; v++) {
      if (!used[v] && g1.labels[u] === g2.labels[v]) {
        used[v] = 1;
        return v;
      }
    }
    return -1;
  });
}

/** First-improvement local search over swaps and re-assignments of images; deterministic. */
function improve(g1: Prepared, g2: Prepared, start: number[], maxPasses = 20): { mapping: number[]; cost: number } {
  const mapping = [...start];
  let best = mappingCost(g1, g2, mapping);
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let u = 0; u < g1.n; u++) {
      // re-assign u to an unused g2 node or to deletion
      const used = new Set(mapping.filter((v) => v >= 0));
      for (let v = -1; v < g2.n; v++) {
        if (v === mapping[u] || (v >= 0 && used.has(v))) continue;
        const old = mapping[u] as number;
        mapping[u] = v;
        const cost = mappingCost(g1, g2, mapping);
        if (cost < best) {
          best = cost;
          improved = true;
          used.delete(old);
          if (v >= 0) used.add(v);
        } else {
          mapping[u] = old;
        }
      }
      // swap images with another g1 node
      for (let w = u + 1; w < g1.n; w++) {
        if (mapping[u] === mapping[w]) continue;
        [mapping[u], mapping[w]] = [mapping[w] as number, mapping[u] as number];
        const cost = mappingCost(g1, g2, mapping);
        if (cost < best) {
          best = cost;
          improved = true;
        } else {
          [mapping[u], mapping[w]] = [mapping[w] as number, mapping[u] as number];
        }
      }
    }
    if (!improved) break;
  }
  return { mapping, cost: best };
}

/** Depth-first branch and bound over node mappings; returns the optimum unless the expansion budget runs out. */
function branchAndBound(
  g1: Prepared,
  g2: Prepared,
  labelCount: number,
  initial: { mapping: number[]; cost: number },
  maxExpansions: number,
): { mapping: number[]; cost: number; complete: boolean; expansions: number } {
  const order = Array.from({ length: g1.n }, (_, i) => i).sort(
    (a, b) => (g1.outDeg[b] as number) + (g1.inDeg[b] as number) - ((g1.outDeg[a] as number) + (g1.inDeg[a] as number)) || a - b,
  );
  let bestCost = initial.cost;
  let bestMapping = [...initial.mapping];
  const mapping = new Array<number>(g1.n).fill(-1);
  const used = new Uint8Array(g2.n);
  const remaining1 = new Int32Array(labelCount);
  const remaining2 = new Int32Array(labelCount);
  for (const l of g1.labels) remaining1[l] = (remaining1[l] as number) + 1;
  for (const l of g2.labels) remaining2[l] = (remaining2[l] as number) + 1;
  let expansions = 0;
  let complete = true;

  const lowerBound = (depth: number, usedCount: number, e1Done: number, e2Covered: number): number => {
    const r1 = g1.n - depth;
    const r2 = g2.n - usedCount;
    let common = 0;
    for (let l = 0; l < labelCount; l++) common += Math.min(remaining1[l] as number, remaining2[l] as number);
    const nodes = Math.abs(r1 - r2) + Math.min(r1, r2) - Math.min(common, Math.min(r1, r2));
    return nodes + Math.abs(g1.edgeCount - e1Done - (g2.edgeCount - e2Covered));
  };

  const search = (depth: number, cost: number, usedCount: number, e1Done: number, e2Covered: number): void => {
    if (!complete) return;
    if (depth === g1.n) {
      const total = cost + (g2.n - usedCount) + (g2.edgeCount - e2Covered);
      if (total < bestCost) {
        bestCost = total;
        bestMapping = [...mapping];
      }
      return;
    }
    if (++expansions > maxExpansions) {
      complete = false;
      return;
    }
    const u = order[depth] as number;
    const n1 = g1.n;
    const n2 = g2.n;
    // edges of g1 between u and already-placed nodes (and u's self-loop), counted once each
    let e1New = g1.adj[u * n1 + u] as number;
    for (let d = 0; d < depth; d++) {
      const w = order[d] as number;
      e1New += (g1.adj[u * n1 + w] as number) + (g1.adj[w * n1 + u] as number);
    }
    remaining1[g1.labels[u] as number] = (remaining1[g1.labels[u] as number] as number) - 1;
    const candidates: number[] = [];
    for (let v = 0; v < n2; v++) if (!used[v] && g1.labels[u] === g2.labels[v]) candidates.push(v);
    for (let v = 0; v < n2; v++) if (!used[v] && g1.labels[u] !== g2.labels[v]) candidates.push(v);
    candidates.push(-1);
    for (const v of candidates) {
      let step: number;
      let e2New = 0;
      if (v < 0) {
        step = 1 + e1New;
      } else {
        step = g1.labels[u] === g2.labels[v] ? 0 : 1;
        const self1 = g1.adj[u * n1 + u] as number;
        const self2 = g2.adj[v * n2 + v] as number;
        step += self1 !== self2 ? 1 : 0;
        e2New += self2;
        for (let d = 0; d < depth; d++) {
          const w = order[d] as number;
          const fw = mapping[w] as number;
          const out1 = g1.adj[u * n1 + w] as number;
          const in1 = g1.adj[w * n1 + u] as number;
          if (fw < 0) {
            step += out1 + in1;
            continue;
          }
          const out2 = g2.adj[v * n2 + fw] as number;
          const in2 = g2.adj[fw * n2 + v] as number;
          e2New += out2 + in2;
          step += (out1 !== out2 ? 1 : 0) + (in1 !== in2 ? 1 : 0);
        }
      }
      const nextCost = cost + step;
      if (nextCost >= bestCost) continue;
      mapping[u] = v;
      let nextUsed = usedCount;
      if (v >= 0) {
        used[v] = 1;
        nextUsed++;
        remaining2[g2.labels[v] as number] = (remaining2[g2.labels[v] as number] as number) - 1;
      }
      if (nextCost + lowerBound(depth + 1, nextUsed, e1Done + e1New, e2Covered + e2New) < bestCost) {
        search(depth + 1, nextCost, nextUsed, e1Done + e1New, e2Covered + e2New);
      }
      if (v >= 0) {
        used[v] = 0;
        remaining2[g2.labels[v] as number] = (remaining2[g2.labels[v] as number] as number) + 1;
      }
      mapping[u] = -1;
      if (!complete) break;
    }
    remaining1[g1.labels[u] as number] = (remaining1[g1.labels[u] as number] as number) + 1;
  };
  search(0, 0, 0, 0, 0);
  return { mapping: bestMapping, cost: bestCost, complete, expansions };
}

/**
 * Graph edit distance between two node-labelled directed graphs under unit costs: substituting a node costs 0 when
 * the labels are equal and 1 otherwise; inserting or deleting a node or an edge costs 1; edges carry no labels.
 * (The same model as `networkx.graph_edit_distance(g1, g2, node_match=lambda a, b: a["label"] == b["label"])`.)
 *
 * Exact by depth-first branch and bound when neither graph exceeds `maxExactNodes` and the search finishes within
 * `maxExpansions` (search bound: label-multiset + edge-count difference of what is left; incumbent: the better of a
 * Riesen–Bunke bipartite assignment and an equal-label mapping, each improved by local search). Otherwise the result
 * is that incumbent — an upper bound, reported with `exact: false` and a proven lower bound (the larger of the
 * label/edge-count bound and the bipartite "branch" bound) — unless it meets the lower bound, in which case it is
 * exact (`method: "bounded"`).
 */
export function graphEditDistance(a: LabelledDigraph, b: LabelledDigraph, options: GedOptions = {}): GedResult {
  const maxExactNodes = options.maxExactNodes ?? 12;
  const maxExpansions = options.maxExpansions ?? 500_000;
  const labelIds = new Map<string, number>();
  const g1 = prepare(a, labelIds);
  const g2 = prepare(b, labelIds);
  const labelCount = labelIds.size;
  const bipartite = bipartiteMapping(g1, g2);
  const lowerBound = Math.max(rootLowerBound(g1, g2, labelCount), bipartite.lowerBound);
  const fromBipartite = improve(g1, g2, bipartite.mapping);
  const fromLabels = improve(g1, g2, labelMapping(g1, g2));
  const incumbent = fromLabels.cost <= fromBipartite.cost ? fromLabels : fromBipartite;
  if (incumbent.cost === lowerBound) {
    return { distance: incumbent.cost, exact: true, lowerBound, method: "bounded", mapping: incumbent.mapping, expansions: 0 };
  }
  if (Math.max(g1.n, g2.n) <= maxExactNodes) {
    const result = branchAndBound(g1, g2, labelCount, incumbent, maxExpansions);
    if (result.complete) {
      return { distance: result.cost, exact: true, lowerBound: result.cost, method: "exact", mapping: result.mapping, expansions: result.expansions };
    }
    return { distance: result.cost, exact: false, lowerBound, method: "approximate", mapping: result.mapping, expansions: result.expansions };
  }
  return { distance: incumbent.cost, exact: false, lowerBound, method: "approximate", mapping: incumbent.mapping, expansions: 0 };
}

/** An SOP as a labelled digraph whose node labels are the node names. */
export function toLabelledDigraph(graph: SopGraph): LabelledDigraph {
  const nodes = graph.nodes();
  const index = new Map(nodes.map((n, i) => [n, i]));
  return { labels: nodes, edges: graph.edges().map(([from, to]) => [index.get(from) as number, index.get(to) as number] as const) };
}

/** GED between a predicted and a gold SOP, with its ratio to the gold graph's size. */
export interface SopGedResult extends GedResult {
  /** |V| + |E| of the gold SOP: the cost of building it from nothing. */
  goldSize: number;
  /** GEDR = distance / goldSize. */
  ratio: number;
}

/** GED and GEDR (GED divided by the gold SOP's |V| + |E|) between a predicted and a gold SOP; nodes match by name. */
export function sopEditDistance(predicted: SopGraph, gold: SopGraph, options: GedOptions = {}): SopGedResult {
  const result = graphEditDistance(toLabelledDigraph(predicted), toLabelledDigraph(gold), options);
  const goldSize = gold.nodeCount + gold.edgeCount;
  return { ...result, goldSize, ratio: goldSize === 0 ? Number.NaN : result.distance / goldSize };
}
