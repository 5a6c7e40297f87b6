// The suites the --jobs worker processes load in the pool test (the module and export the test names).
import type { Suite } from "../suites/types.js";
import { fakeSuite } from "./fake-suite.js";

const failing = fakeSuite({ name: "fake-failing" });
const live = fakeSuite({ name: "fake-live" });

export const suites: Suite[] = [
  fakeSuite({ delayMs: 10, unevenDelay: true }),
  fakeSuite({ name: "fake-shared", shareBaseline: true, delayMs: 5 }),
  {
    // Exactly one episode fails, so the error the pool reports does not depend on which worker gets there first.
    ...failing,
    run: (spec, context) =>
      spec.unit === "u2" && spec.world === "matched" && spec.planner === "fake-planner@budget=1" ? Promise.reject(new Error("world exploded")) : failing.run(spec, context),
  },
  {
    // Asks the episode's LLM twice (the same request: two draws) and scores the answers' lengths.
    ...live,
    async run(spec, context) {
      if (!context.llm) throw new Error("fake-live needs the live LLM");
      const request = { messages: [{ role: "user" as const, content: `${spec.planner} ${spec.world} ${spec.unit}` }], temperature: 1 };
      const first = await context.llm.complete(request);
      const second = await context.llm.complete(request);
      const outcome = await live.run(spec, context);
      return { ...outcome, metrics: { ...outcome.metrics, reward: (first.choices[0]?.text.length ?? 0) + (second.choices[0]?.text.length ?? 0) / 100 } };
    },
  },
];
