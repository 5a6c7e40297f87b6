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
  const numeric = header.map((_, i) => body.some((line) => (line[i] ?? "") !== "") && body.every((line) => (line[i] ?? "") === "" || /^[-+[\d–]/.test(line[i] ?? "")));
  const line = (cells: readonly string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** The value of a row's metric in a report, or undefined. */
export function rowOf(report: BenchReport, planner: string, world: string, metric: string): ReportRow | undefined {
  return report.rows.find((row) => row.planner === planner && row.world === world && row.metric === metric);
}

/** A planner's costs in a world, per turn when the suite reports `turns` (else per episode), and its mean wall time. */
export interface PlannerCosts {
  per: "turn" | "episode";
  /** Deterministic costs in the suite's order: `…PerTurn` costs as they are, others divided by the mean turns. */
  costs: { name: string; value: number }[];
  /** Mean wall-clock milliseconds of an episode divided the same way (from timings.json), when known. */
  wallMs?: number;
}

/**
 * A planner's costs in a world: each deterministic cost divided by the mean turns when the suite reports `turns`
 * (as a metric or a cost), otherwise per episode (costs named `…PerTurn` as they are); plus the mean wall time.
 */
export function plannerCosts(report: BenchReport, timings: RunTimings | undefined, planner: string, world: string): PlannerCosts {
  const turns = (rowOf(report, planner, world, "turns") ?? rowOf(report, planner, world, `${COST_PREFIX}turns`))?.mean;
  const perTurn = turns !== undefined && turns > 0;
  const divisor = perTurn ? turns : 1;
  const costs = report.rows
    .filter((row) => row.planner === planner && row.world === world && row.metric.startsWith(COST_PREFIX) && row.metric !== `${COST_PREFIX}turns`)
    .map((row) => {
      const name = row.metric.slice(COST_PREFIX.length);
      return { name, value: isPerTurnCost(name) ? row.mean : row.mean / divisor };
    });
  const wall = timings?.rows.find((row) => row.planner === planner && row.world === world && row.metric === "episodeWallMs");
  return { per: perTurn ? "turn" : "episode", costs, ...(wall ? { wallMs: wall.mean / divisor } : {}) };
}

/** {@link plannerCosts} as one line, e.g. "llmCalls 4, tokens 1,200, 35.2 ms /turn". */
export function costSummary(report: BenchReport, timings: RunTimings | undefined, planner: string, world: string): string {
  const { per, costs, wallMs } = plannerCosts(report, timings, planner, world);
  const parts = costs.map(({ name, value }) => `${name} ${formatNumber(value)}`);
  if (wallMs !== undefined) parts.push(`${formatNumber(wallMs)} ms`);
  return parts.length === 0 ? "–" : `${parts.join(", ")} /${per}`;
}

function comparisonCells(c: ReportComparison): string[] {
  return [c.world, c.metric, c.a, c.b, String(c.n), `${signed(c.meanDiff)} ± ${formatNumber(c.stderr)}`, formatInterval(c.ci95)];
}

/** The Markdown report of a suite run: header facts, the headline comparison with its costs, then the details. */
export function markdownReport(report: BenchReport, timings: RunTimings | undefined, plots: readonly { name: string; title: string; file: string }[]): string {
  const out: string[] = [
    `# Bench \`${report.suite}\` — ${report.scale} scale, seed ${report.seed}`,
    "",
    report.summary,
    "",
    `- commit: \`${report.commit}\`${report.extendedAt ? `, extended at ${report.extendedAt.map((c) => `\`${c}\``).join(", ")} (their episodes added after a replay check)` : ""}`,
    `- machine: ${report.machine}`,
    `- roles: ${report.llm === null ? "offline (the suite's simulators and stand-ins)" : `live, LLM ${report.llm} through the response cache`}`,
    `- episodes: ${report.episodes}`,
  ];
  const headline = report.headline;
  const lines = headlineLines(report, timings);
  if (headline && lines.length > 0) {
    out.push("", "## Headline", "", `The system against its best baseline: ${headline.a} − ${headline.b} on ${headline.metric}, paired over the same units and seeds.`, "");
    out.push(markdownTable(["world", "pairs", "a − b ± se", "95 % CI", `cost: ${headline.a}`, `cost: ${headline.b}`], lines.map((l) => [l.world, String(l.n), `${signed(l.meanDiff)} ± ${formatNumber(l.stderr)}`, formatInterval(l.ci95), l.cost, l.baselineCost])));
  }
  if (report.comparisons.length > 0) {
    out.push("", "## Paired comparisons", "", "a − b over episodes with the same unit (starter, goal or task) and seed.", "");
    out.push(markdownTable(["world", "metric", "a", "b", "pairs", "mean diff ± se", "95 % CI"], report.comparisons.map(comparisonCells)));
  }
  if (plots.length > 0) {
    out.push("", "## Plots", "");
    for (const plot of plots) out.push(`![${plot.title}](${plot.file})`, "");
  }
  out.push(
    "",
    "## Results",
    "",
    "Mean ± standard error over episodes, with a percentile-bootstrap 95 % interval. `cost.*` rows are the suite's costs.",
    "",
    markdownTable(
      ["planner", "world", "metric", "n", "mean ± se", "95 % CI"],
      report.rows.map((row) => [row.planner, row.world, row.metric, String(row.n), `${formatNumber(row.mean)} ± ${formatNumber(row.stderr)}`, formatInterval(row.ci95)]),
    ),
  );
  if (timings) {
    out.push("", "## Wall time", "", "Measured on the machine above; not part of summary.json because it varies between runs.", "");
    out.push(markdownTable(["planner", "world", "what", "n", "mean ms"], timings.rows.map((row) => [row.planner, row.world, row.metric, String(row.n), formatNumber(row.mean)])));
    if (timings.comparisons.length > 0) out.push("", "Paired comparisons of wall-clock costs:", "", markdownTable(["world", "metric", "a", "b", "pairs", "mean diff ± se", "95 % CI"], timings.comparisons.map(comparisonCells)));
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
  stderr: number | null;
  ci95: [number, number];
  /** Each side's costs as one line ({@link costSummary}), and as numbers. */
  cost: string;
  baselineCost: string;
  costs: { system: PlannerCosts; baseline: PlannerCosts };
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
      stderr: c.stderr,
      ci95: c.ci95,
      cost: costSummary(report, timings, c.a, c.world),
      baselineCost: costSummary(report, timings, c.b, c.world),
      costs: { system: plannerCosts(report, timings, c.a, c.world), baseline: plannerCosts(report, timings, c.b, c.world) },
    }));
}

/** "a | b" of two optional numbers, with a unit. */
function sideBySide(a: number | undefined, b: number | undefined, unit = ""): string {
  if (a === undefined && b === undefined) return "";
  return `${a === undefined ? "–" : formatNumber(a)} | ${b === undefined ? "–" : formatNumber(b)}${unit}`;
}

/**
 * The closing terminal table (within 120 columns for the shipped suites): per headline a title line naming the
 * system, its best baseline and the metric, then one line per world with the paired difference, its CI, the
 * suite's first cost and the wall time, each as "system | baseline" per turn ("/ep": per episode, for suites that
 * report no turns).
 */
export function headlineTable(lines: readonly HeadlineLine[]): string {
  if (lines.length === 0) return "(no suite reported a headline comparison)";
  const titles: { before: number; text: string }[] = [];
  const body = lines.map((l, index) => {
    const title = `${l.system} vs ${l.baseline}: ${l.metric}`;
    const previous = lines[index - 1];
    if (!previous || `${previous.suite} ${previous.system} vs ${previous.baseline}: ${previous.metric}` !== `${l.suite} ${title}`) titles.push({ before: index, text: title });
    const main = l.costs.system.costs[0] ?? l.costs.baseline.costs[0];
    const value = (costs: PlannerCosts) => (main ? costs.costs.find((c) => c.name === main.name)?.value : undefined);
    const per = main && !isPerTurnCost(main.name) && l.costs.system.per === "episode" ? " /ep" : "";
    return [
      `  ${l.world}`,
      String(l.n),
      signed(l.meanDiff),
      formatInterval(l.ci95),
      main ? `${main.name.replace(/PerTurn$/, "")} ${sideBySide(value(l.costs.system), value(l.costs.baseline))}${per}` : "",
      `${sideBySide(l.costs.system.wallMs, l.costs.baseline.wallMs)}${l.costs.system.per === "episode" ? " /ep" : ""}`.trim(),
    ];
  });
  const [head, rule, ...rows] = textTable(["world", "pairs", "a − b", "95 % CI", "cost per turn: system | baseline", "wall ms per turn"], body).split("\n");
  const out = [head as string, rule as string];
  rows.forEach((row, index) => {
    for (const title of titles) if (title.before === index) out.push(title.text);
    out.push(row);
  });
  return out.join("\n");
}
