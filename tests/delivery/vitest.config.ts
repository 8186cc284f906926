import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A MongoDB-compatible server for the whole run (MONGODB_URI when set, else mongod or FerretDB).
    globalSetup: ["@platform/devkit/vitest-mongo"],
    include: ["test/**/*.test.ts"],
    // The image recipe installs and builds a pruned workspace per app; the linters are quick.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
