// A few quick-scale gdpzero episodes with 2 planned turns, for the live test (and its --jobs workers, which import
// this module): GDP-Zero with n = 5, with 4 simulations in flight (n = 20; live rows run them in lockstep, so they
// replay too) and the prompting baseline, on one opening in both worlds.
import { gdpZeroSuite } from "../suites/gdpzero.js";
import type { Suite } from "../suites/types.js";

export const gdpZeroToy: Suite = {
  ...gdpZeroSuite,
  episodes: (scale, seed) =>
    gdpZeroSuite
      .episodes(scale, seed)
      .filter((spec) => ["gdpzero@n=5", "gdpzero@n=20,concurrency=4", "gdpzero-prompting"].includes(spec.planner) && spec.unit === "opening-0")
      .map((spec) => ({ ...spec, setting: { ...spec.setting, turns: 2 } })),
  comparisons: [{ metric: "finalValue", a: "gdpzero@n=5", b: "gdpzero-prompting" }],
  headline: { metric: "finalValue", a: "gdpzero@n=5", b: "gdpzero-prompting" },
};

export const suites: Suite[] = [gdpZeroToy];
