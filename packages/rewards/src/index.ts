export * from "./discount.js";
export * from "./engagement.js";
export * from "./safety/index.js";
export * from "./persuasion.js";
export * from "./sop.js";
export * from "./learned.js";
export * from "./multiwoz/index.js";
export * from "./metrics/index.js";
