import type { ComparisonSpec, Suite } from "../suites/types.js";
import type { EpisodeRecord } from "./episodes.js";
import { BenchError } from "./files.js";
import type { RunMeta } from "./run-suite.js";
import { mean, summarizeKeyed } from "./stats.js";

/** Prefix of report rows that aggregate a cost rather than a metric (e.g. `cost.llmCalls`). */
export const COST_PREFIX = "cost.";

/**
 * Costs named `…Ms` or `…MsPer…` (wallMs, wallMsPerTurn) are wall-clock times: not deterministic, so they go to
 * timings.json, not the report.
 */
export function isTimingCost(name: string): boolean {
  return /(?:^ms|Ms)(?:Per[A-Z]\w*)?$/.test(name);
}

/** Costs named `…PerTurn` are already per turn (the cost summary does not divide them by the turns again). */
export function isPerTurnCost(name: string): boolean {
  return name.endsWith("PerTurn");
}

/** One row of a report: a planner's metric (or cost) in a world, over its episodes. */
export interface ReportRow {
  planner: string;
  /** The settings every episode of this planner shared. */
  setting: Record<string, unknown>;
  world: string;
  metric: string;
  n: number;
  mean: number;
  stderr: number | null;
  ci95: [number, number];
}

/** A paired comparison: mean of a − b over episodes with the same unit and seed, with a bootstrap 95 % interval. */
export interface ReportComparison {
  metric: string;
  world: string;
  a: string;
  b: string;
  n: number;
  meanDiff: number;
  stderr: number | null;
  ci95: [number, number];
}

/** The report of one suite run (DESIGN.md's shape), deterministic for a given suite, scale, seed and commit. */
export interface BenchReport {
  suite: string;
  summary: string;
  seed: number;
  commit: string;
  /** Later commits that added episodes to the run (`--extend`, after a replay check), when any. */
  extendedAt?: string[];
  /** The machines that ran the episodes ({@link machineLabel}), sorted and joined by "; ". */
  machine: string;
  scale: string;
  /** The LLM of a live run, or null when the suite's offline roles played. */
  llm: string | null;
  episodes: number;
  rows: ReportRow[];
  comparisons: ReportComparison[];
  /** The system-vs-best-baseline comparison the terminal table shows. */
  headline: ComparisonSpec | null;
}

/** Non-deterministic facts of a run, kept apart from the report: wall times per planner and world. */
export interface RunTimings {
  suite: string;
  /** Sum of the wall times of the episodes played (reused outcomes not counted), in ms. */
  episodeWallMs: number;
  rows: { planner: string; world: string; metric: string; n: number; mean: number }[];
  /** Paired comparisons of wall-clock costs (e.g. simulations in flight against sequential, per turn). */
  comparisons: ReportComparison[];
}

function firstSeenOrder<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

function sharedSetting(records: readonly EpisodeRecord[]): Record<string, unknown> {
  const first = records[0]?.spec.setting ?? {};
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) {
    const text = JSON.stringify(value);
    if (records.every((record) => JSON.stringify(record.spec.setting[key]) === text)) shared[key] = value;
  }
  return shared;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The names (metrics, then deterministic costs as `cost.<name>`) a group of records reports, in first-seen order. */
function measureNames(records: readonly EpisodeRecord[]): string[] {
  const metrics = firstSeenOrder(records.flatMap((record) => Object.keys(record.metrics)));
  const costs = firstSeenOrder(records.flatMap((record) => Object.keys(record.costs))).filter((name) => !isTimingCost(name));
  return [...metrics, ...costs.map((name) => `${COST_PREFIX}${name}`)];
}

/** The value of a metric or `cost.<name>` in a record (undefined when the episode did not report it). */
export function measureOf(record: EpisodeRecord, metric: string): number | undefined {
  return metric.startsWith(COST_PREFIX) ? record.costs[metric.slice(COST_PREFIX.length)] : record.metrics[metric];
}

/** What pairs two episodes of a comparison: the same unit and seed. */
function pairKey(record: EpisodeRecord): string {
  return `${record.spec.unit}\u0000${record.spec.seed}`;
}

function pairedComparison(suite: string, spec: ComparisonSpec, world: string, records: readonly EpisodeRecord[]): ReportComparison | undefined {
  const side = (planner: string) => {
    const byPair = new Map<string, number>();
    for (const record of records) {
      if (record.spec.planner !== planner || record.spec.world !== world) continue;
      const value = measureOf(record, spec.metric);
      if (value === undefined) continue;
      const pair = pairKey(record);
      if (byPair.has(pair)) throw new BenchError(`suite ${suite}: ${planner} plays unit ${record.spec.unit} with seed ${record.spec.seed} twice in world ${world}; comparisons cannot pair it`);
      byPair.set(pair, value);
    }
    return byPair;
  };
  const a = side(spec.a);
  const b = side(spec.b);
  // A comparison of planners that do not both play in this world at this scale (e.g. an ablation run only at full
  // scale) is left out; both playing without a single shared unit and seed is the suite's error.
  if (a.size === 0 || b.size === 0) return undefined;
  const diffs: { key: string; value: number }[] = [];
  for (const [pair, value] of a) {
    const other = b.get(pair);
    if (other !== undefined) diffs.push({ key: pair, value: value - other });
  }
  if (diffs.length === 0) {
    throw new BenchError(`suite ${suite}: comparison ${spec.a} vs ${spec.b} on ${spec.metric} in world ${world} has no episodes with the same unit and seed on both sides`);
  }
  // Seeded by the comparison and its pairs, not the world or suite: the same pairs give the same interval.
  const stats = summarizeKeyed(diffs, `${spec.metric}|${spec.a}|${spec.b}`);
  return { metric: spec.metric, world, a: spec.a, b: spec.b, n: stats.n, meanDiff: stats.mean, stderr: stats.stderr, ci95: stats.ci95 };
}

/** A comparison's metric that is a wall-clock cost (`cost.wallMsPerTurn` …): compared in timings.json, not the report. */
function isTimingMeasure(metric: string): boolean {
  return metric.startsWith(COST_PREFIX) && isTimingCost(metric.slice(COST_PREFIX.length));
}

function pairedComparisons(suite: string, specs: readonly ComparisonSpec[], worlds: readonly string[], records: readonly EpisodeRecord[]): ReportComparison[] {
  return specs.flatMap((spec) => worlds.flatMap((world) => pairedComparison(suite, spec, world, records) ?? []));
}

/** Builds the report of a complete run from its records in the suite's order. */
export function buildReport(suite: Suite, meta: RunMeta, records: readonly EpisodeRecord[]): BenchReport {
  const rows: ReportRow[] = [];
  const worlds = firstSeenOrder(records.map((record) => record.spec.world));
  const planners = firstSeenOrder(records.map((record) => record.spec.planner));
  for (const planner of planners) {
    for (const world of worlds) {
      const group = records.filter((record) => record.spec.planner === planner && record.spec.world === world);
      if (group.length === 0) continue;
      const setting = sharedSetting(group);
      for (const metric of measureNames(group)) {
        const values = group.flatMap((record) => {
          const value = measureOf(record, metric);
          return value === undefined ? [] : [{ key: pairKey(record), value }];
        });
        // Seeded by the row and its episodes' units and seeds (not the world): a world-free row gets one interval.
        const stats = summarizeKeyed(values, `${planner}|${metric}`);
        rows.push({ planner, setting, world, metric, n: stats.n, mean: stats.mean, stderr: stats.stderr, ci95: stats.ci95 });
      }
    }
  }
  const comparisonSpecs = [...suite.comparisons];
  if (suite.headline && !comparisonSpecs.some((c) => c.metric === suite.headline?.metric && c.a === suite.headline.a && c.b === suite.headline.b)) comparisonSpecs.push(suite.headline);
  const comparisons = pairedComparisons(suite.name, comparisonSpecs.filter((spec) => !isTimingMeasure(spec.metric)), worlds, records);
  const machine = firstSeenOrder(records.map((record) => record.machine)).sort().join("; ");
  return {
    suite: suite.name,
    summary: suite.summary,
    seed: meta.seed,
    commit: meta.commit,
    ...(meta.extendedAt ? { extendedAt: meta.extendedAt } : {}),
    machine,
    scale: meta.scale,
    llm: meta.llm,
    episodes: records.length,
    rows,
    comparisons,
    headline: suite.headline ?? null,
  };
}

/**
 * Mean wall time per planner and world (the runner's episode time and every `…Ms` cost the suite reported), and the
 * suite's paired comparisons of wall-clock costs.
 */
export function buildTimings(suite: Suite, records: readonly EpisodeRecord[]): RunTimings {
  const rows: RunTimings["rows"] = [];
  for (const [, group] of groupBy(records, (record) => `${record.spec.planner}\u0000${record.spec.world}`)) {
    const { planner, world } = (group[0] as EpisodeRecord).spec;
    rows.push({ planner, world, metric: "episodeWallMs", n: group.length, mean: mean(group.map((record) => record.wallMs)) });
    const timingCosts = firstSeenOrder(group.flatMap((record) => Object.keys(record.costs))).filter(isTimingCost);
    for (const name of timingCosts) {
      const values = group.map((record) => record.costs[name]).filter((value): value is number => value !== undefined);
      rows.push({ planner, world, metric: `${COST_PREFIX}${name}`, n: values.length, mean: mean(values) });
    }
  }
  // Reused outcomes carry their source's times (the cost of playing such an episode) but took no time in this run.
  const worlds = firstSeenOrder(records.map((record) => record.spec.world));
  const comparisons = pairedComparisons(suite.name, suite.comparisons.filter((spec) => isTimingMeasure(spec.metric)), worlds, records);
  return { suite: suite.name, episodeWallMs: records.reduce((sum, record) => sum + (record.reusedFrom === undefined ? record.wallMs : 0), 0), rows, comparisons };
}
