import type { PlannerFactory } from "../types.js";
import { chatGreedy0Factory, chatGreedy1Factory, chatRandomFactory, chatVanillaMctsFactory } from "./baselines.js";
import { scopeFactoryEnsemble, scopeFactoryMdn, scopeFactorySafety } from "./scope.js";

export * from "./semantic-search.js";
export * from "./scope.js";
export * from "./baselines.js";
export * from "./latency.js";
export { chatWorld, heldOutChatConversation, chatCandidates, type ChatWorldSetting } from "./chat.js";

/** SCOPE and its baselines, for the planner registry. */
export const scopeFactories: PlannerFactory<never>[] = [
  scopeFactoryEnsemble,
  scopeFactoryMdn,
  scopeFactorySafety,
  chatRandomFactory,
  chatGreedy0Factory,
  chatGreedy1Factory,
  chatVanillaMctsFactory,
] as unknown as PlannerFactory<never>[];
