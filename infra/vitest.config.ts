import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Renders dev, prod and local.example from source before any test file runs (no build needed).
    globalSetup: ["test/support/render-stacks.ts"],
    // checkov and kubernetes-validate are Python processes: seconds each, more on a loaded CI machine.
    testTimeout: 120_000,
    // Some files run the Pulumi program under mocks for every stack in beforeAll: about 3 s idle, over 10 s (the
    // default) when the cluster suite and a Go build share the two cores.
    hookTimeout: 120_000,
  },
});
