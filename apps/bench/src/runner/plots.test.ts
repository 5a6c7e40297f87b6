import { describe, expect, it } from "vitest";
import { plotPoints } from "./plots.js";
import type { BenchReport, ReportRow } from "./summary.js";

const row = (planner: string, setting: Record<string, unknown>, mean: number): ReportRow => ({ planner, setting, world: "matched", metric: "donated", n: 4, mean, stderr: 0.1, ci95: [mean - 0.2, mean + 0.2] });

describe("plot points", () => {
  const report = {
    rows: [row("gdpzero@n=5", { n: 5 }, 0.2), row("gdpzero@n=20", { n: 20 }, 0.5), row("gdpzero@n=20,k=1", { n: 20, k: 1 }, 0.9), row("gdpzero-prompting", {}, 0.1)],
  } as unknown as BenchReport;

  it("draws every row with an x value, and only the listed rows when a plot names them", () => {
    const all = plotPoints(report, { name: "a", title: "a", x: "n", y: "donated" });
    expect(all.map((p) => p.planner)).toEqual(["gdpzero@n=5", "gdpzero@n=20", "gdpzero@n=20,k=1"]);
    const sweep = plotPoints(report, { name: "b", title: "b", x: "n", y: "donated", planners: ["gdpzero@n=5", "gdpzero@n=20"] });
    expect(sweep.map((p) => [p.x, p.y, p.series])).toEqual([
      [5, 0.2, "gdpzero"],
      [20, 0.5, "gdpzero"],
    ]);
  });
});
