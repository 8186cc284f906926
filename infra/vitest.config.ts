import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // checkov and kubernetes-validate are Python processes: seconds each, more on a loaded CI machine.
    testTimeout: 120_000,
  },
});
