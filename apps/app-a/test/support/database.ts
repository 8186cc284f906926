import { randomBytes } from "node:crypto";
import { startLocalMongo } from "@platform/devkit";
import type { LocalMongo } from "@platform/devkit";
import { MongoClient } from "mongodb";
import type { Db } from "mongodb";

/**
 * The one place tests get a database: the real server at MONGODB_URI (FerretDB or MongoDB), or the FerretDB the
 * workspace runs locally. Each caller gets its own database, dropped at the end, so test files can run in
 * parallel with each other and with other packages' tests.
 */
// Set by the globalSetup in vitest.config.ts (@platform/devkit/vitest-mongo).
export const TEST_MONGODB_URI = requireMongoUri();

function requireMongoUri(): string {
  const uri = process.env["MONGODB_URI"];
  if (!uri)
    throw new Error(
      "MONGODB_URI is not set: run the tests through vitest.config.ts (its globalSetup starts a server)",
    );
  return uri;
}

export interface TestDatabase {
  readonly uri: string;
  readonly name: string;
  readonly client: MongoClient;
  readonly db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `appa_${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  const client = new MongoClient(TEST_MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(name);
  return {
    uri: TEST_MONGODB_URI,
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
 * A private database server this test may stop and restart (outage tests), from devkit: `mongod` when on PATH,
 * else FerretDB. Ignores MONGODB_URI on purpose, because a shared external server cannot be stopped.
 */
export async function startDisposableMongo(): Promise<LocalMongo> {
  return startLocalMongo({ env: { ...process.env, MONGODB_URI: undefined } });
}
