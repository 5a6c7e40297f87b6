import type { Suite } from "@foresight/bench";
import { createBenchSuitesCommand } from "../commands/bench-suites.js";

/**
 * `tsx bench-blocking.ts OUT_DIR`: `foresight bench blocking --out OUT_DIR` over a suite whose third episode blocks
 * for good (it ignores the run's signal and holds a timer) after printing "blocked" on stdout, so a test can signal
 * the process at a known point. The other episodes finish at once.
 */
const blocking: Suite = {
  name: "blocking",
  summary: "a suite whose third episode blocks until the run is stopped",
  episodes: (_scale, seed) => Array.from({ length: 4 }, (_, u) => ({ suite: "blocking", planner: "planner", setting: {}, world: "matched", unit: `u${u}`, seed })),
  run: async (spec) => {
    if (spec.unit === "u2") {
      process.stdout.write("blocked\n");
      // Blocks for good, holding a timer as a stuck planner might (the process stays alive until the run stops).
      return new Promise<never>(() => setInterval(() => undefined, 1000));
    }
    return { metrics: { reward: Number(spec.unit.slice(1)) }, costs: {} };
  },
  comparisons: [],
};

const command = createBenchSuitesCommand([blocking]);
const code = await command.run(["blocking", "--json", "--out", process.argv[2] as string], { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) });
process.exitCode = code;
