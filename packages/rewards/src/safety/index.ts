export * from "./types.js";
export * from "./lexicon.js";
export * from "./llama-guard.js";
