export * from "./world.js";
export * from "./value.js";
