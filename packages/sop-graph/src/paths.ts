import type { SopGraph } from "./graph.js";

/** Options for {@link startEndPaths}. */
export interface PathOptions {
  /** Stop after this many paths (default 10,000); the result says when it stopped early. */
  maxPaths?: number;
}

/** The Start→End paths of an SOP. */
export interface PathSet {
  /** Each path as its node sequence, start first, sink last, in depth-first order following successor order. */
  paths: string[][];
  /** True when enumeration stopped at `maxPaths`, so `paths` is a prefix of the full set. */
  truncated: boolean;
}

/**
 * The SOP's Start→End paths: every *simple* path (no vertex twice) from the start to the sink, found depth-first in
 * successor order. Cycles (re-asking loops) are therefore taken at most once around, never repeated, which keeps
 * the set finite; the cap bounds the exponential worst case.
 */
export function startEndPaths(graph: SopGraph, options: PathOptions = {}): PathSet {
  const maxPaths = options.maxPaths ?? 10_000;
  const paths: string[][] = [];
  const { start, sink } = graph;
  if (!graph.hasNode(start) || !graph.hasNode(sink)) return { paths, truncated: false };
  const onPath = new Set<string>([start]);
  const path = [start];
  let truncated = false;
  const visit = (node: string): void => {
    if (truncated) return;
    if (node === sink) {
      if (paths.length >= maxPaths) {
        truncated = true;
        return;
      }
      paths.push([...path]);
      return;
    }
    for (const next of graph.successorsOf(node)) {
      if (onPath.has(next)) continue;
      onPath.add(next);
      path.push(next);
      visit(next);
      path.pop();
      onPath.delete(next);
      if (truncated) return;
    }
  };
  visit(start);
  return { paths, truncated };
}

/** Precision, recall and F1 of predicted against gold items. */
export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
  /** Items in both. */
  matched: number;
  predicted: number;
  gold: number;
}

/** Precision = matched/predicted, recall = matched/gold (0 when a side is empty), F1 their harmonic mean. */
export function precisionRecall(predicted: number, gold: number, matched: number): PrecisionRecall {
  const precision = predicted === 0 ? 0 : matched / predicted;
  const recall = gold === 0 ? 0 : matched / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, matched, predicted, gold };
}

/** Path-level dialogue usability: P/R/F1 of the predicted SOP's Start→End paths against the gold SOP's. */
export interface PathMetrics extends PrecisionRecall {
  /** Whether either path set was cut at `maxPaths` (the scores are then over the enumerated prefixes). */
  truncated: boolean;
}

/**
 * Dialogue usability: a Start→End path of the predicted SOP is a dialogue it would run; it is usable when the gold
 * SOP has exactly the same path (same node sequence). Precision/recall/F1 over the two sets of simple paths.
 */
export function pathMetrics(predicted: SopGraph, gold: SopGraph, options: PathOptions = {}): PathMetrics {
  const pred = startEndPaths(predicted, options);
  const ref = startEndPaths(gold, options);
  const key = (p: readonly string[]) => p.join("\u0000");
  const goldKeys = new Set(ref.paths.map(key));
  const predKeys = new Set(pred.paths.map(key));
  let matched = 0;
  for (const k of predKeys) if (goldKeys.has(k)) matched++;
  return { ...precisionRecall(predKeys.size, goldKeys.size, matched), truncated: pred.truncated || ref.truncated };
}
