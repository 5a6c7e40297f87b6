import { sgmSuite } from "./sgm.js";
import type { Suite } from "./types.js";

/** Every bench suite, by name (the runner looks them up here). */
export const suites: Suite[] = [sgmSuite];
