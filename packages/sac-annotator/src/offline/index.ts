export * from "./corpus.js";
export * from "./annotator.js";
export * from "./roles.js";
export * from "./judge.js";
