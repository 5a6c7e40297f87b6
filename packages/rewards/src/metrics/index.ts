export * from "./tokenize.js";
export * from "./diversity.js";
export * from "./bleu.js";
export * from "./stats.js";
export * from "./judge.js";
