import { MongoClient, MongoServerError } from "mongodb";

export interface MongoClientOptions {
  readonly uri: string;
  readonly appName: string;
  readonly maxPoolSize?: number;
  readonly minPoolSize?: number;
  /** How long an operation waits for a usable server before failing (so requests fail fast, never hang). */
  readonly serverSelectionTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
}

/**
 * A MongoClient with the settings both services rely on. It is not connected here: the driver connects on the
 * first operation and reconnects by itself, so a service can start while the database is down, report not-ready,
 * and recover without a restart.
 */
export function createMongoClient(options: MongoClientOptions): MongoClient {
  return new MongoClient(options.uri, {
    appName: options.appName,
    maxPoolSize: options.maxPoolSize ?? 20,
    minPoolSize: options.minPoolSize ?? 0,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 3000,
    connectTimeoutMS: options.connectTimeoutMs ?? 5000,
    socketTimeoutMS: options.socketTimeoutMs ?? 30_000,
    retryReads: true,
    retryWrites: true,
    writeConcern: { w: "majority" },
    readPreference: "primary",
  });
}

/** A readiness check: resolves when the server answers a ping. */
export async function mongoPing(client: MongoClient): Promise<void> {
  await client.db("admin").command({ ping: 1 });
}

/** E11000: a unique index refused the write (the one way both services detect a lost insert race). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
