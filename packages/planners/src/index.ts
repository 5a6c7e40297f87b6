export * from "./types.js";
export { plannerFactory, listPlanners, plannerNames } from "./registry.js";
export * from "./gdpzero/index.js";
