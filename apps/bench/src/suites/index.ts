import { gdpZeroSuite } from "./gdpzero.js";
import { scopeSuite } from "./scope.js";
import { sageSuite } from "./sage/suite.js";
import { sgmSuite } from "./sgm.js";
import { smctsTodSuite } from "./smcts-tod.js";
import type { Suite } from "./types.js";

/** Every planner suite `foresight bench` knows, in the order `--quick` runs them. Each suite adds one import and one entry. */
export const suites: Suite[] = [scopeSuite, gdpZeroSuite, smctsTodSuite, sgmSuite, sageSuite];
