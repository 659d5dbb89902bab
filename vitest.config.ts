import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native tensors and child processes: forks isolate each file's addon state.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
