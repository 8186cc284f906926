import { startLocalMongo } from "./mongo.js";

/**
 * Vitest globalSetup (`globalSetup: ["@platform/devkit/vitest-mongo"]`): gives the test run a MongoDB-compatible
 * server in MONGODB_URI before any worker starts, so `pnpm test` needs no database set up by hand. An existing
 * MONGODB_URI is used as it is; otherwise `mongod` or FerretDB is started on a free port and stopped at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const mongo = await startLocalMongo();
  process.env.MONGODB_URI = mongo.uri;
  return async () => {
    if (mongo.kind !== "external") await mongo.stop();
  };
}
