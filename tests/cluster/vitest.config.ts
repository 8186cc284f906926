import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One cluster for the run: `pnpm cluster up` before the files, `pnpm cluster down` after them.
    globalSetup: ["./test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
  },
});
