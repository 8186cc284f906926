import { startLocalMongo } from "@platform/devkit";
import type { LocalMongo } from "@platform/devkit";
import { createTestDatabase as create, testMongoUri } from "@platform/devkit/test-database";
import type { TestDatabase } from "@platform/devkit/test-database";

export type { TestDatabase };

/** Set by the globalSetup in vitest.config.ts (@platform/devkit/vitest-mongo). */
export const TEST_MONGODB_URI = testMongoUri();

/** A database of the test's own (prefix appa_), dropped by drop(). */
export function createTestDatabase(label: string): Promise<TestDatabase> {
  return create("appa", label);
}

/**
 * A private database server this test may stop and restart (outage tests), from devkit: `mongod` when on PATH,
 * else FerretDB. Ignores MONGODB_URI on purpose, because a shared external server cannot be stopped.
 */
export async function startDisposableMongo(): Promise<LocalMongo> {
  return startLocalMongo({ env: { ...process.env, MONGODB_URI: undefined } });
}
