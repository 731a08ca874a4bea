import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Tests spawn real sandboxes and test suites; two cores leave room for little more.
    maxWorkers: 2,
    fileParallelism: true
  }
})
