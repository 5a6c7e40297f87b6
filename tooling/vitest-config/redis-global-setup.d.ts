import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the throw-away Redis the global setup started (redis://127.0.0.1:PORT). */
    redisUrl: string;
  }
}

/** Starts Redis before the tests; returns the teardown that stops it. */
export default function setup(project: TestProject): () => void;
