import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A MongoDB-compatible server for the whole run (MONGODB_URI when set, else mongod or FerretDB).
    globalSetup: ["@platform/devkit/vitest-mongo"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
