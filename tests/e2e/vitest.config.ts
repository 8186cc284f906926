import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starts the database, two instances of each app and nginx once for all files (apps built by turbo first).
    globalSetup: ["./test/global-setup.ts"],
    // The files share one platform and run their flows in order on a 2-core machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
