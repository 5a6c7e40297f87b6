export * from "./labels.js";
export * from "./json.js";
export * from "./values.js";
export * from "./utterance.js";
export * from "./sop.js";
