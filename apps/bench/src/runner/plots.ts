import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { PlotSpec } from "../suites/types.js";
import { COST_PREFIX, type BenchReport } from "./summary.js";

/** One drawn point: a planner's mean of the plot's y in a world at its x, with the row's 95 % interval. */
export interface PlotPoint {
  world: string;
  planner: string;
  series: string;
  x: number | string;
  y: number;
  lo: number;
  hi: number;
}

/** The planner name without its `@setting` suffix (series of a sweep share it). */
export function basePlanner(planner: string): string {
  const at = planner.indexOf("@");
  return at < 0 ? planner : planner.slice(0, at);
}

function xValue(report: BenchReport, plot: PlotSpec, planner: string, world: string, setting: Record<string, unknown>): number | string | undefined {
  if (plot.x === "planner") return planner;
  const fromSetting = setting[plot.x];
  if (typeof fromSetting === "number" || typeof fromSetting === "string") return fromSetting;
  // Not a setting: the planner's mean of a metric or cost of that name (e.g. tokensPerTurn for a Pareto plot).
  const row = report.rows.find((r) => r.planner === planner && r.world === world && (r.metric === plot.x || r.metric === `${COST_PREFIX}${plot.x}`));
  return row?.mean;
}

/** The points of a plot from a report's rows (rows without an x value are left out). */
export function plotPoints(report: BenchReport, plot: PlotSpec): PlotPoint[] {
  const points: PlotPoint[] = [];
  for (const row of report.rows) {
    if (row.metric !== plot.y) continue;
    if (plot.planners && !plot.planners.includes(row.planner)) continue;
    const x = xValue(report, plot, row.planner, row.world, row.setting);
    if (x === undefined) continue;
    const seriesField = plot.series ?? "planner";
    const series = seriesField === "planner" ? basePlanner(row.planner) : String(row.setting[seriesField] ?? basePlanner(row.planner));
    points.push({ world: row.world, planner: row.planner, series, x, y: row.mean, lo: row.ci95[0], hi: row.ci95[1] });
  }
  return points;
}

/** The vega-lite spec of a plot: lines over a numeric x (bars over planners), 95 % intervals as error bars, a panel per world. */
export function plotSpec(report: BenchReport, plot: PlotSpec, points: readonly PlotPoint[]): TopLevelSpec {
  const numericX = points.every((p) => typeof p.x === "number") && plot.x !== "planner";
  const x = numericX ? { field: "x", type: "quantitative" as const, title: plot.x, scale: { zero: false } } : { field: "x", type: "nominal" as const, title: plot.x, sort: null };
  const color = { field: "series", type: "nominal" as const, title: plot.series ?? "planner" };
  const layer = [
    numericX
      ? { mark: { type: "line" as const, point: true }, encoding: { x, y: { field: "y", type: "quantitative" as const, title: plot.y, scale: { zero: false } }, color } }
      : { mark: { type: "bar" as const }, encoding: { x, y: { field: "y", type: "quantitative" as const, title: plot.y }, color } },
    { mark: { type: "errorbar" as const, ticks: true }, encoding: { x, y: { field: "lo", type: "quantitative" as const, title: plot.y }, y2: { field: "hi" }, color } },
  ];
  const sorted = [...points].sort((a, b) => (typeof a.x === "number" && typeof b.x === "number" ? a.x - b.x : 0));
  const title = `${plot.title} (${report.suite}, ${report.scale}, seed ${report.seed}; bars: 95 % CI)`;
  const worlds = new Set(points.map((p) => p.world));
  if (worlds.size > 1) {
    return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, data: { values: sorted }, facet: { column: { field: "world", type: "nominal", title: "world" } }, spec: { width: 320, height: 220, layer } } as TopLevelSpec;
  }
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: 420, height: 260, data: { values: sorted }, layer } as TopLevelSpec;
}

/** Renders a vega-lite spec to SVG with vega's headless view (no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
