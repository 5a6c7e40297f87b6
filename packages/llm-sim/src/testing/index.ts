// Test support for code built on @foresight/llm-sim: import from "@foresight/llm-sim/testing".
export * from "./scripted.js";
export * from "./fake-clock.js";
export * from "./openai-server.js";
