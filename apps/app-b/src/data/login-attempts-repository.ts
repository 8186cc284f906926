import type { Collection, Db } from "mongodb";
import { ensureExpiryIndex, purgeExpired } from "./expiry.js";
import { isDuplicateKey } from "@platform/shared";

export interface LoginAttemptsRecord {
  /** "account:<sha256 of email>" or "address:<client address>". */
  readonly _id: string;
  readonly count: number;
  /** End of the counting window; the TTL index removes the record afterwards. */
  readonly expiresAt: Date;
}

/**
 * Failed-login counters in MongoDB, so every replica sees the same counts (a per-process counter would let an
 * attacker multiply their budget by the number of pods). Fixed windows: the first failure opens the window.
 */
export class LoginAttemptsRepository {
  readonly collection: Collection<LoginAttemptsRecord>;

  constructor(db: Db) {
    this.collection = db.collection<LoginAttemptsRecord>("login_attempts");
  }

  /** Resolves true when the server deletes expired records itself (TTL index), false when purgeExpired must. */
  ensureIndexes(): Promise<boolean> {
    return ensureExpiryIndex(this.collection as unknown as Collection<never>);
  }

  purgeExpired(now: Date): Promise<number> {
    return purgeExpired(this.collection as unknown as Collection<never>, now);
  }

  /** The live (unexpired) counters among `keys`. */
  findActive(keys: readonly string[], now: Date): Promise<LoginAttemptsRecord[]> {
    return this.collection.find({ _id: { $in: [...keys] }, expiresAt: { $gt: now } }).toArray();
  }

  /** Adds one failure to the key's window, opening a new window if the old one has expired. */
  async increment(key: string, now: Date, windowSeconds: number): Promise<LoginAttemptsRecord> {
    const windowEnd = new Date(now.getTime() + windowSeconds * 1000);
    // The TTL monitor runs about once a minute, so an expired record may still exist: restart its window first.
    await this.collection.updateOne(
      { _id: key, expiresAt: { $lte: now } },
      { $set: { count: 0, expiresAt: windowEnd } },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        const record = await this.collection.findOneAndUpdate(
          { _id: key },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt: windowEnd } },
          { upsert: true, returnDocument: "after" },
        );
        if (record) return record;
        throw new Error(`login attempt counter ${key} vanished during upsert`);
      } catch (error) {
        // Two first failures at once: both try to insert, one loses on _id; its retry then increments.
        if (attempt === 0 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  async reset(key: string): Promise<void> {
    await this.collection.deleteOne({ _id: key });
  }
}
