import preset, { redisGlobalSetup } from "@foresight/vitest-config";
import { defineConfig, mergeConfig } from "vitest/config";

// The queue tests run against a real redis-server that this global setup starts and stops.
export default mergeConfig(preset, defineConfig({ test: { globalSetup: [redisGlobalSetup] } }));
