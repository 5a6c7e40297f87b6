import preset, { redisGlobalSetup } from "@foresight/vitest-config";
import { defineConfig, mergeConfig } from "vitest/config";

// `foresight serve --workers` is tested against a real redis-server that this global setup starts and stops.
export default mergeConfig(preset, defineConfig({ test: { globalSetup: [redisGlobalSetup] } }));
