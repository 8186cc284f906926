import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Renders dev, prod and local.example from source before any test file runs (no build needed).
    globalSetup: ["test/support/render-stacks.ts"],
    // checkov and kubernetes-validate are Python processes: seconds each, more on a loaded CI machine.
    testTimeout: 120_000,
  },
});
