export * from "./roles.js";
export * from "./model.js";
export * from "./planner.js";
export * from "./factory.js";
