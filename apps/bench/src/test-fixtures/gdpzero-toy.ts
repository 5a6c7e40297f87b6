// A few quick-scale gdpzero episodes with 2 planned turns, for the live test (and its --jobs workers, which import
// this module): GDP-Zero with n = 5 and the prompting baseline, on one opening in both worlds. Not the variants with
// simulations in flight: live, which simulation's request is answered first decides the next requests, so those
// episodes do not replay exactly (their requests differ on replay and miss the cache).
import { gdpZeroSuite } from "../suites/gdpzero.js";
import type { Suite } from "../suites/types.js";

export const gdpZeroToy: Suite = {
  ...gdpZeroSuite,
  episodes: (scale, seed) =>
    gdpZeroSuite
      .episodes(scale, seed)
      .filter((spec) => ["gdpzero@n=5", "gdpzero-prompting"].includes(spec.planner) && spec.unit === "opening-0")
      .map((spec) => ({ ...spec, setting: { ...spec.setting, turns: 2 } })),
  comparisons: [{ metric: "finalValue", a: "gdpzero@n=5", b: "gdpzero-prompting" }],
  headline: { metric: "finalValue", a: "gdpzero@n=5", b: "gdpzero-prompting" },
};

export const suites: Suite[] = [gdpZeroToy];
