import type { Collection } from "mongodb";
import { MongoServerError } from "mongodb";

/**
 * A TTL index on `expiresAt` where the server supports one (MongoDB). FerretDB v1 answers NotImplemented (238);
 * there a plain index is created and the caller purges expired records itself (purgeExpired). Correctness never
 * depends on deletion: every read also checks expiresAt. Returns whether the server expires records natively.
 */
export async function ensureExpiryIndex(collection: Collection<never>): Promise<boolean> {
  try {
    await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: "expires_ttl" }, undefined);
    return true;
  } catch (error) {
    if (!(error instanceof MongoServerError) || error.code !== 238) throw error;
    await collection.createIndex({ expiresAt: 1 }, { name: "expires_at" }, undefined);
    return false;
  }
}

/** Deletes records whose expiresAt has passed; what a TTL monitor would do. */
export async function purgeExpired(collection: Collection<never>, now: Date): Promise<number> {
  const result = await collection.deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}
