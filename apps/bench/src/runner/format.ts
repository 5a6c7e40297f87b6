import type { BenchReport, ReportComparison, ReportRow, RunTimings } from "./summary.js";
import { COST_PREFIX, isPerTurnCost } from "./summary.js";

/** A number for tables: integers as they are, others with three significant digits (at least one decimal below 1000). */
export function formatNumber(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 0.01) return value.toPrecision(3);
  return value.toPrecision(2);
}

/** `[lo, hi]` formatted. */
export function formatInterval([lo, hi]: [number, number]): string {
  return `[${formatNumber(lo)}, ${formatNumber(hi)}]`;
}

function signed(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** A Markdown table from a header and rows of cells (pipes in cells escaped). */
export function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return [`| ${header.map(cell).join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...body.map((line) => `| ${line.map(cell).join(" | ")} |`)].join("\n");
}

/** A fixed-width text table: columns of numbers (and intervals) right-aligned, the others left-aligned. */
export function textTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] ?? "").length)));
  const numeric = header.map((_, i) => body.length > 0 && body.every((line) => /^[-+[\d–]/.test(line[i] ?? "")));
  const line = (cells: readonly string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** The value of a row's metric in a report, or undefined. */
export function rowOf(report: BenchReport, planner: string, world: string, metric: string): ReportRow | undefined {
  return report.rows.find((row) => row.planner === planner && row.world === world && row.metric === metric);
}

/**
 * A planner's costs per turn in a world: each deterministic cost divided by the mean turns when the suite reports
 * `turns` (as a metric or a cost), otherwise per episode (costs named `…PerTurn` as they are); plus the mean wall
 * time from the timings.
 */
export function costSummary(report: BenchReport, timings: RunTimings | undefined, planner: string, world: string): string {
  const turns = (rowOf(report, planner, world, "turns") ?? rowOf(report, planner, world, `${COST_PREFIX}turns`))?.mean;
  const per = turns !== undefined && turns > 0 ? turns : 1;
  const unit = turns !== undefined && turns > 0 ? "/turn" : "/episode";
  const parts = report.rows
    .filter((row) => row.planner === planner && row.world === world && row.metric.startsWith(COST_PREFIX) && row.metric !== `${COST_PREFIX}turns`)
    .map((row) => {
      const name = row.metric.slice(COST_PREFIX.length);
      return isPerTurnCost(name) ? `${name} ${formatNumber(row.mean)}` : `${name} ${formatNumber(row.mean / per)}`;
    });
  const wall = timings?.rows.find((row) => row.planner === planner && row.world === world && row.metric === "episodeWallMs");
  if (wall) parts.push(`${formatNumber(wall.mean / per)} ms`);
  return parts.length === 0 ? "–" : `${parts.join(", ")} ${unit}`;
}

function comparisonCells(c: ReportComparison): string[] {
  return [c.world, c.metric, c.a, c.b, String(c.n), `${signed(c.meanDiff)} ± ${formatNumber(c.stderr)}`, formatInterval(c.ci95)];
}

/** The Markdown report of a suite run: header facts, rows, paired comparisons, wall times and plots. */
export function markdownReport(report: BenchReport, timings: RunTimings | undefined, plots: readonly { name: string; title: string; file: string }[]): string {
  const out: string[] = [
    `# Bench \`${report.suite}\` — ${report.scale} scale, seed ${report.seed}`,
    "",
    report.summary,
    "",
    `- commit: \`${report.commit}\``,
    `- machine: ${report.machine}`,
    `- roles: ${report.llm === null ? "offline (the suite's simulators and stand-ins)" : `live, LLM ${report.llm} through the response cache`}`,
    `- episodes: ${report.episodes}`,
    "",
    "## Results",
    "",
    "Mean ± standard error over episodes, with a percentile-bootstrap 95 % interval. `cost.*` rows are the suite's costs.",
    "",
    markdownTable(
      ["planner", "world", "metric", "n", "mean ± se", "95 % CI"],
      report.rows.map((row) => [row.planner, row.world, row.metric, String(row.n), `${formatNumber(row.mean)} ± ${formatNumber(row.stderr)}`, formatInterval(row.ci95)]),
    ),
  ];
  if (report.comparisons.length > 0) {
    out.push("", "## Paired comparisons", "", "a − b over episodes with the same unit (starter, goal or task) and seed.", "");
    out.push(markdownTable(["world", "metric", "a", "b", "pairs", "mean diff ± se", "95 % CI"], report.comparisons.map(comparisonCells)));
  }
  if (report.headline) {
    const headline = report.headline;
    const pairs = [...new Set(report.rows.map((row) => `${row.planner}\u0000${row.world}`))]
      .map((key) => key.split("\u0000") as [string, string])
      .filter(([planner]) => planner === headline.a || planner === headline.b);
    out.push("", "## Cost", "", markdownTable(["planner", "world", "cost"], pairs.map(([planner, world]) => [planner, world, costSummary(report, timings, planner, world)])));
  }
  if (timings) {
    out.push("", "## Wall time", "", "Measured on the machine above; not part of summary.json because it varies between runs.", "");
    out.push(markdownTable(["planner", "world", "what", "n", "mean ms"], timings.rows.map((row) => [row.planner, row.world, row.metric, String(row.n), formatNumber(row.mean)])));
  }
  if (plots.length > 0) {
    out.push("", "## Plots", "");
    for (const plot of plots) out.push(`![${plot.title}](${plot.file})`, "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** One line of the closing terminal table: a suite's headline comparison in one world. */
export interface HeadlineLine {
  suite: string;
  world: string;
  system: string;
  baseline: string;
  metric: string;
  n: number;
  meanDiff: number;
  ci95: [number, number];
  cost: string;
  baselineCost: string;
}

/** The headline lines of a report (one per world), or none when the suite names no headline. */
export function headlineLines(report: BenchReport, timings: RunTimings | undefined): HeadlineLine[] {
  const headline = report.headline;
  if (!headline) return [];
  return report.comparisons
    .filter((c) => c.metric === headline.metric && c.a === headline.a && c.b === headline.b)
    .map((c) => ({
      suite: report.suite,
      world: c.world,
      system: c.a,
      baseline: c.b,
      metric: c.metric,
      n: c.n,
      meanDiff: c.meanDiff,
      ci95: c.ci95,
      cost: costSummary(report, timings, c.a, c.world),
      baselineCost: costSummary(report, timings, c.b, c.world),
    }));
}

/** The closing terminal table: each system, its best baseline, the paired difference with its CI, and costs. */
export function headlineTable(lines: readonly HeadlineLine[]): string {
  if (lines.length === 0) return "(no suite reported a headline comparison)";
  return textTable(
    ["suite", "world", "system vs baseline", "metric", "pairs", "a − b", "95 % CI", "cost (system)", "cost (baseline)"],
    lines.map((l) => [l.suite, l.world, `${l.system} vs ${l.baseline}`, l.metric, String(l.n), signed(l.meanDiff), formatInterval(l.ci95), l.cost, l.baselineCost]),
  );
}
