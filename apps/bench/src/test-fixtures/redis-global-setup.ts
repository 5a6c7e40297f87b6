// vitest globalSetup: starts a throw-away redis-server (installed from Debian's packages when missing) with the
// repository's own script, hands its URL to the tests, and stops it after them. Fails loudly when it cannot.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

const script = join(import.meta.dirname, "../../../../tooling/scripts/redis.sh");

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** Starts Redis before the tests. */
export default function setup(project: TestProject): () => void {
  let url: string;
  try {
    url = execFileSync("bash", [script, "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`the queue tests need Redis and tooling/scripts/redis.sh could not start it: ${stderr || (error as Error).message}`);
  }
  project.provide("redisUrl", url);
  return () => {
    execFileSync("bash", [script, "stop", url], { stdio: "inherit" });
  };
}
