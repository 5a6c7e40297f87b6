// Shared vitest preset: tests live next to the code as src/**/*.test.ts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Path of the global setup that starts a throw-away Redis for a package's tests (see redis-global-setup.js). */
export const redisGlobalSetup = fileURLToPath(new URL("./redis-global-setup.js", import.meta.url));

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    allowOnly: false,
  },
});
