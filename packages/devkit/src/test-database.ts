import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { Db } from "mongodb";

/**
 * The server the test run uses: MONGODB_URI, which the globalSetup `@platform/devkit/vitest-mongo` sets (to the
 * caller's own server, or to the mongod/FerretDB it started).
 */
export function testMongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    throw new Error(
      "MONGODB_URI is not set: run the tests through vitest.config.ts (its globalSetup starts a server)",
    );
  }
  return uri;
}

/** A database of the test's own, on its own connection pool, dropped by drop(). */
export interface TestDatabase {
  readonly uri: string;
  readonly name: string;
  readonly client: MongoClient;
  readonly db: Db;
  drop(): Promise<void>;
}

/**
 * Each caller gets a uniquely named database (`<prefix>_<label>_<random>`), so test files run in parallel with
 * each other and with other packages' tests against one server.
 */
export async function createTestDatabase(prefix: string, label: string): Promise<TestDatabase> {
  const uri = testMongoUri();
  const name = `${prefix}_${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(name);
  return {
    uri,
    name,
    client,
    db,
    drop: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}

/**
 * The environment a component test starts a service with on `database`: what main.ts would see, on loopback port
 * 0 with a silent logger. Each app's test support adds its own variables.
 */
export function testServiceEnv(database: Pick<TestDatabase, "uri" | "name">): Record<string, string> {
  return {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
  };
}
