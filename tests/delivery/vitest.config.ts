import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The image recipe installs and builds a pruned workspace per app; the linters are quick.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
