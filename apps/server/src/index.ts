export { buildServer, bearerMatches, type ForesightServer, type ServerDependencies } from "./app.js";
export { configFromEnv, parseServerConfig, ServerConfigSchema, type ServerConfig, type ServerConfigInput } from "./config.js";
export { registrySource, type PlannerSource } from "./planner-pool.js";
export { upstreamFromEnv, parseProxyModel, type UpstreamFactory } from "./upstream.js";
export { MemorySessionStore } from "./sessions/memory.js";
export { RedisSessionStore } from "./sessions/redis.js";
export type { SessionRecord, SessionStore } from "./sessions/store.js";
export { openApiDocument } from "./openapi.js";
export { runLoadTest, type LoadTestOptions, type LoadTestReport } from "./load-test.js";
