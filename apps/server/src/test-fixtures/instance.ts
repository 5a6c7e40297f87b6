// One server instance in its own process, for the tests of sessions shared through Redis: the real planner registry,
// sessions in Redis at the given URL, no upstream model, no warm-up (the tests bring their own candidates). Prints "listening <url>" once it accepts requests and stops
// gracefully on SIGTERM.
// Usage: node --import tsx instance.ts REDIS_URL
import { plannerNames } from "@foresight/planners";
import { buildServer } from "../app.js";
import { registrySource } from "../planner-pool.js";

const redisUrl = process.argv[2];
if (!redisUrl) {
  console.error("usage: instance.ts REDIS_URL");
  process.exit(2);
}
const server = await buildServer({ logLevel: "silent", rateLimitPerMinute: 0, sessionStore: "redis", redisUrl, warmPlanners: [] }, { planners: registrySource(plannerNames), upstream: () => undefined });
const address = await server.app.listen({ host: "127.0.0.1", port: 0 });
console.log(`listening ${address}`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
