export * from "./types.js";
export * from "./base.js";
export * from "./system.js";
export * from "./user.js";
export * from "./prior.js";
export * from "./value.js";
export * from "./judge.js";
export * from "./classifier.js";
