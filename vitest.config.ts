import { defineConfig } from "vitest/config";

// Tests run in forked processes (TF.js backends keep global state; forks isolate it) on both cores of the
// 2-core CI machine. Timeouts are generous because the cpu backend is slow; speed is measured by `npm run bench`.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
