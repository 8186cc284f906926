import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { Db } from "mongodb";

/**
 * The one place tests get a database: the server at MONGODB_URI (FerretDB or MongoDB), else the FerretDB the
 * workspace runs locally. Each test file gets its own database, dropped at the end, so files can run in parallel
 * with each other and with other packages' tests. (If a vitest globalSetup starts the server, only this changes.)
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
  readonly client: MongoClient;
  readonly db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `appb_${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  const client = new MongoClient(TEST_MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(name);
  return {
    client,
    db,
    drop: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}
