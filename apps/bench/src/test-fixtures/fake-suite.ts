import { setTimeout as sleep } from "node:timers/promises";
import { createRng } from "@foresight/dialogue";
import type { EpisodeSpec, Suite } from "../suites/types.js";

/** Options of the deterministic fake suite the runner's tests use (not a shipped suite). */
export interface FakeSuiteOptions {
  /** Units per world (default 4). */
  units?: number;
  /** Milliseconds each episode waits (default 0), so a test can kill a process mid-episode. */
  delayMs?: number;
  /** Episodes wait 1–4 × `delayMs` (by budget), so parallel episodes finish out of order. */
  unevenDelay?: boolean;
  name?: string;
  /** The baseline plays the same in every world, and the suite says so with a `shareKey` (default false). */
  shareBaseline?: boolean;
}

/**
 * A tiny deterministic suite: "fake-planner" (three budgets) and "fake-baseline" on units u0…, in worlds
 * matched and mismatched. The reward is drawn from a generator seeded by planner, unit and seed, and the planner
 * gets +0.5 per unit of budget, so paired differences are known.
 */
export function fakeSuite(options: FakeSuiteOptions = {}): Suite {
  const name = options.name ?? "fake";
  const units = options.units ?? 4;
  return {
    name,
    summary: "A deterministic fake suite for the runner's tests.",
    episodes(scale, seed) {
      const seeds = scale === "quick" ? [seed] : [seed, seed + 1];
      const specs: EpisodeSpec[] = [];
      for (const world of ["matched", "mismatched"]) {
        for (let u = 0; u < units; u++) {
          for (const s of seeds) {
            for (const budget of [1, 2, 4]) specs.push({ suite: name, planner: `fake-planner@budget=${budget}`, setting: { budget, timeMs: budget * 10 }, world, unit: `u${u}`, seed: s });
            specs.push({ suite: name, planner: "fake-baseline", setting: { budget: 0, timeMs: 0 }, world, unit: `u${u}`, seed: s });
          }
        }
      }
      return specs;
    },
    async run(spec, context) {
      const delay = (options.delayMs ?? 0) * (options.unevenDelay ? 4 - Math.min(3, Number(spec.setting.budget)) : 1);
      if (delay > 0) await sleep(delay, undefined, { signal: context.signal }).catch(() => undefined);
      const worldless = options.shareBaseline && spec.planner === "fake-baseline";
      const rng = createRng(`${worldless ? "any world" : spec.world}|${spec.unit}|${spec.seed}`);
      const base = rng.next() * 10;
      const budget = Number(spec.setting.budget);
      const noise = createRng(`${spec.planner}|${spec.unit}|${spec.seed}`).next();
      const turns = 3 + (spec.unit.length % 2);
      return {
        metrics: { reward: base + 0.5 * budget + noise, success: base + budget > 6 ? 1 : 0, turns },
        costs: { llmCalls: budget * turns * 2, tokens: budget * turns * 100, wallMs: 1 },
        transcript: [{ turn: 0, said: `hello from ${spec.planner}` }],
      };
    },
    ...(options.shareBaseline ? { shareKey: (spec: EpisodeSpec) => (spec.planner === "fake-baseline" ? `${spec.planner}|${spec.unit}|${spec.seed}` : undefined) } : {}),
    comparisons: [
      { metric: "reward", a: "fake-planner@budget=4", b: "fake-baseline" },
      { metric: "success", a: "fake-planner@budget=4", b: "fake-baseline" },
    ],
    plots: [
      { name: "reward-vs-budget", title: "Reward vs planning budget", x: "timeMs", y: "reward" },
      { name: "reward-per-planner", title: "Reward per planner", x: "planner", y: "reward" },
      { name: "success-vs-tokens", title: "Success vs tokens per episode", x: "tokens", y: "success" },
    ],
    headline: { metric: "reward", a: "fake-planner@budget=4", b: "fake-baseline" },
  };
}
