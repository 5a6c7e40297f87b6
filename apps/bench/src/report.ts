import type { BenchRow } from "./mcts-suite.js";

/** A fixed-width table of report rows, with the machine, commit and seed underneath. */
export function formatTable(rows: BenchRow[]): string {
  const header = ["case", "it/s", "wall ms", "iterations", "nodes", "bytes/node"];
  const body = rows.map((r) => [r.case, r.iterationsPerSecond.toLocaleString("en-US"), String(r.wallMs), String(r.iterations), String(r.nodes), String(r.bytesPerNode)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  const first = rows[0];
  if (first) {
    const m = first.machine;
    out.push("", `machine: ${m.cpu} (${m.cores} cores, ${m.platform}, node ${m.node}, load ${m.loadAverage})`, `commit: ${first.commit}  seed: ${first.seed}`);
  }
  return out.join("\n");
}

/** The whole report as one JSON-serialisable object. */
export function reportObject(suite: string, rows: BenchRow[]) {
  const first = rows[0];
  return { suite, machine: first?.machine, commit: first?.commit, seed: first?.seed, rows };
}
