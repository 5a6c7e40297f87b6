export * from "./types.js";
export { plannerFactory, listPlanners, plannerNames } from "./registry.js";
export * from "./sgm/index.js";
