export * from "./types.js";
export { plannerFactory, listPlanners, plannerNames } from "./registry.js";
export * from "./sgm/index.js";
export * from "./gdpzero/index.js";
export * from "./scope/index.js";
export * from "./smcts-tod/index.js";
