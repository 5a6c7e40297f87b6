export * from "./schema.js";
export * from "./acts.js";
export * from "./corpus.js";
export * from "./slots.js";
export * from "./database.js";
export * from "./resources.js";
