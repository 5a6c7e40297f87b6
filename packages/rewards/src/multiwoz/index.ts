export * from "./tables.js";
export * from "./fuzzy.js";
export * from "./resolve.js";
export * from "./evaluator.js";
export * from "./corpus-metrics.js";
export * from "./evaluate.js";
