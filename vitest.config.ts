import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native tensors and child processes: forks isolate each file's addon state.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Messages are matched as plain text: picocolors colours them whenever CI is set, in the
    // tests' own process and in every child it starts.
    env: { NO_COLOR: "1" },
  },
});
