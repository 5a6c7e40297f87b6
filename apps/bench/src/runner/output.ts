import { join } from "node:path";
import type { Suite } from "../suites/types.js";
import type { EpisodeRecord } from "./episodes.js";
import { writeFileAtomic } from "./files.js";
import { markdownReport } from "./format.js";
import { plotPoints, plotSpec, renderSvg } from "./plots.js";
import { RUN_FILES, type RunMeta } from "./run-suite.js";
import { buildReport, buildTimings, type BenchReport, type RunTimings } from "./summary.js";

/** What {@link writeRunReport} wrote. */
export interface WrittenReport {
  report: BenchReport;
  timings: RunTimings;
  /** Plots drawn, with their file relative to the run folder. */
  plots: { name: string; title: string; file: string }[];
  /** Plots the suite declares that had no rows to draw, with the reason. */
  skippedPlots: string[];
  /** Files the suite's `artifacts` hook wrote, relative to the run folder. */
  artifacts: string[];
}

/** Writes a complete run's summary.json (the deterministic report), timings.json, the SVG plots and report.md. */
export async function writeRunReport(suite: Suite, meta: RunMeta, records: readonly EpisodeRecord[], outDir: string): Promise<WrittenReport> {
  const report = buildReport(suite, meta, records);
  const timings = buildTimings(suite, records);
  const plots: WrittenReport["plots"] = [];
  const skippedPlots: string[] = [];
  for (const plot of suite.plots ?? []) {
    const points = plotPoints(report, plot);
    if (points.length === 0) {
      skippedPlots.push(`${plot.name}: no row has metric "${plot.y}" with an x value "${plot.x}"`);
      continue;
    }
    const file = `${RUN_FILES.plots}/${plot.name}.svg`;
    writeFileAtomic(join(outDir, file), await renderSvg(plotSpec(report, plot, points)));
    plots.push({ name: plot.name, title: plot.title, file });
  }
  const artifacts = suite.artifacts ? await suite.artifacts(records, outDir) : [];
  writeFileAtomic(join(outDir, RUN_FILES.summary), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(outDir, RUN_FILES.timings), `${JSON.stringify(timings, null, 2)}\n`);
  let markdown = markdownReport(report, timings, plots);
  if (skippedPlots.length > 0) markdown += `\nPlots not drawn:\n\n${skippedPlots.map((s) => `- ${s}`).join("\n")}\n`;
  if (artifacts.length > 0) markdown += `\n## Artifacts\n\n${artifacts.map((file) => `- [${file}](${file})`).join("\n")}\n`;
  writeFileAtomic(join(outDir, RUN_FILES.report), markdown);
  return { report, timings, plots, skippedPlots, artifacts };
}
