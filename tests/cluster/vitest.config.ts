import { defineConfig } from "vitest/config";
import { BaseSequencer } from "vitest/node";
import type { TestSpecification } from "vitest/node";

/** The files are steps on one cluster: they run in the order of their names (1-…, 2-…, 9-teardown). */
class ByName extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One cluster for the run: `pnpm cluster up` before the files, `pnpm cluster down` after them.
    globalSetup: ["./test/global-setup.ts"],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    testTimeout: 900_000,
    hookTimeout: 1_800_000,
  },
});
