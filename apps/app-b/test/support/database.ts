import { createTestDatabase as create, testMongoUri } from "@platform/devkit/test-database";
import type { TestDatabase } from "@platform/devkit/test-database";

export type { TestDatabase };

/** Set by the globalSetup in vitest.config.ts (@platform/devkit/vitest-mongo). */
export const TEST_MONGODB_URI = testMongoUri();

/** A database of the test's own (prefix appb_), dropped by drop(). */
export function createTestDatabase(label: string): Promise<TestDatabase> {
  return create("appb", label);
}
