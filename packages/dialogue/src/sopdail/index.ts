export * from "./gloss.js";
export * from "./schema.js";
export * from "./load.js";
