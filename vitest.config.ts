import { defineConfig } from "vitest/config";
import { TEST_TIME_LIMIT_MS } from "./test/helpers/patience.js";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Catches a hung test; a slow one on a busy machine must still pass (see test/helpers/patience.ts).
    testTimeout: TEST_TIME_LIMIT_MS,
    hookTimeout: TEST_TIME_LIMIT_MS,
    pool: "forks",
    maxWorkers: 2,
  },
});
