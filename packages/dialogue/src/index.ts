export * from "./core/schema.js";
export * from "./core/render.js";
export * from "./core/rng.js";
export * from "./core/split.js";
export * from "./core/data-dir.js";
export * from "./core/stats.js";
