// vitest globalSetup shared by every package whose tests need Redis: starts a throw-away redis-server (installed
// from Debian's packages when missing) with the repository's own tooling/scripts/redis.sh, hands its URL to the tests
// as `inject("redisUrl")`, and stops it after them. Fails loudly when it cannot.
// Use: `test: { globalSetup: [redisGlobalSetup] }` with `import { redisGlobalSetup } from "@foresight/vitest-config"`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../scripts/redis.sh", import.meta.url));

/** Starts Redis before the tests; returns the teardown that stops it. */
export default function setup(project) {
  let url;
  try {
    // The server is stopped by the teardown below, or by redis.sh's watcher once this process is gone (a killed run).
    // 10 minutes: it may install redis-server with apt-get first.
    url = execFileSync("bash", [script, "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000, env: { ...process.env, FORESIGHT_REDIS_OWNER_PID: String(process.pid) } }).trim();
  } catch (error) {
    const stderr = error.stderr?.trim();
    throw new Error(`these tests need Redis and tooling/scripts/redis.sh could not start it: ${stderr || error.message}`);
  }
  project.provide("redisUrl", url);
  return () => {
    execFileSync("bash", [script, "stop", url], { stdio: "inherit", timeout: 30_000 });
  };
}
