import { gdpZeroFactories } from "./gdpzero/index.js";
import { cotFactory, cotSopFactory, sgmFactory } from "./sgm/factory.js";
import { smctsTodFactories } from "./smcts-tod/index.js";
import type { PlannerFactory } from "./types.js";
import { scopeFactories } from "./scope/index.js";

/**
 * Every planner by name. Each system adds its factories (the planner and its baselines) to this list; the CLI
 * (`foresight plan <name>`), the server and the bench look them up here, so a planner that lands appears
 * everywhere without other changes. A plain list (no registration on import) keeps the package free of side effects.
 */
const factories: PlannerFactory<never>[] = [
  ...(gdpZeroFactories as PlannerFactory<never>[]),
  ...([sgmFactory, cotFactory, cotSopFactory] as PlannerFactory<never>[]),
  ...(scopeFactories as PlannerFactory<never>[]),
  ...(smctsTodFactories as PlannerFactory<never>[]),
];

/** The factory registered under `name`; throws naming the known planners when there is none. */
export function plannerFactory(name: string): PlannerFactory<Record<string, unknown>> {
  const factory = factories.find((f) => f.name === name);
  if (!factory) throw new Error(`unknown planner "${name}" (known: ${plannerNames().join(", ") || "none"})`);
  return factory as unknown as PlannerFactory<Record<string, unknown>>;
}

/** Every planner factory, sorted by name. */
export function listPlanners(): PlannerFactory<Record<string, unknown>>[] {
  return [...factories].sort((a, b) => a.name.localeCompare(b.name, "en")) as unknown as PlannerFactory<Record<string, unknown>>[];
}

/** The registered planner names, sorted. */
export function plannerNames(): string[] {
  return factories.map((f) => f.name).sort();
}
