import type { BenchRow } from "./mcts-suite.js";

/** One side-by-side comparison of an engine case with a baseline row, measured in the same run. */
export interface BenchRatio {
  /** The engine's case. */
  case: string;
  /** The field compared. */
  metric: "iterationsPerSecond" | "bytesPerNode";
  /** The engine's value. */
  foresight: number;
  /** The baseline's value. */
  baseline: number;
  /** foresight / baseline, rounded to 3 decimals. */
  ratio: number;
  /** Which direction is better for the engine: more iterations per second, fewer bytes per node. */
  better: "higher" | "lower";
}

/** Ratios foresight/baseline, keyed by baseline case, for every row with `baselineOf` naming a row of the same `compareBy`. */
export function baselineRatios(rows: BenchRow[]): Record<string, BenchRatio> {
  const byCase = new Map(rows.map((r) => [r.case, r]));
  const ratios: Record<string, BenchRatio> = {};
  for (const base of rows) {
    if (base.baselineOf === undefined || base.compareBy === undefined) continue;
    const row = byCase.get(base.baselineOf);
    if (row === undefined || row.compareBy !== base.compareBy) continue;
    const metric = base.compareBy;
    const foresight = row[metric];
    const baseline = base[metric];
    ratios[base.case] = {
      case: row.case,
      metric,
      foresight,
      baseline,
      ratio: baseline > 0 ? Math.round((foresight / baseline) * 1000) / 1000 : Number.NaN,
      better: metric === "iterationsPerSecond" ? "higher" : "lower",
    };
  }
  return ratios;
}

/** A fixed-width table of report rows, the side-by-side ratios, and the machine, commit and seed underneath. */
export function formatTable(rows: BenchRow[]): string {
  const header = ["case", "it/s", "wall ms", "iterations", "nodes", "bytes/node"];
  const body = rows.map((r) => [r.case, r.iterationsPerSecond.toLocaleString("en-US"), String(r.wallMs), String(r.iterations), String(r.nodes), String(r.bytesPerNode)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  const ratios = Object.entries(baselineRatios(rows));
  if (ratios.length > 0) {
    out.push("", "foresight / baseline, measured side by side in this run:");
    for (const [name, r] of ratios) {
      const fmt = (v: number) => v.toLocaleString("en-US");
      out.push(`  ${r.case} vs ${name}: ${r.metric} ${fmt(r.foresight)} / ${fmt(r.baseline)} = ${r.ratio}× (${r.better} is better)`);
    }
  }
  const first = rows[0];
  if (first) {
    const m = first.machine;
    out.push("", `machine: ${m.cpu} (${m.cores} cores, ${m.platform}, node ${m.node}, load ${m.loadAverage})`, `commit: ${first.commit}  seed: ${first.seed}`);
  }
  return out.join("\n");
}

/** The whole report as one JSON-serialisable object, with the side-by-side `ratios`. */
export function reportObject(suite: string, rows: BenchRow[]) {
  const first = rows[0];
  return { suite, machine: first?.machine, commit: first?.commit, seed: first?.seed, rows, ratios: baselineRatios(rows) };
}
