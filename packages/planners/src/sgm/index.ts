export * from "./model.js";
export * from "./domain.js";
export * from "./planner.js";
export * from "./factory.js";
export * from "./llm.js";
