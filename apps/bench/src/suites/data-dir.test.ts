// `foresight bench --data-dir DIR`: the suites that list their units from a corpus read that folder, not the default.
import { describe, expect, it } from "vitest";
import { enumerateEpisodes } from "../runner/episodes.js";
import { scopeSuite } from "./scope.js";
import { sgmSuite } from "./sgm.js";
import { smctsTodSuite } from "./smcts-tod.js";

const missing = "/nonexistent/foresight-bench-data";

describe("episode listing with a data folder", () => {
  it.each([
    ["scope", scopeSuite],
    ["sgm", sgmSuite],
    ["smcts-tod", smctsTodSuite],
  ])("%s lists its units from the run's data folder", (_name, suite) => {
    expect(() => enumerateEpisodes(suite, "quick", 1, undefined, missing)).toThrow(/\/nonexistent\/foresight-bench-data/);
  });
});
