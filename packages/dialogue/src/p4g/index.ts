export * from "./labels.js";
export * from "./load.js";
