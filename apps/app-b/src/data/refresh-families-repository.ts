import type { Collection, Db } from "mongodb";
import { ensureExpiryIndex, purgeExpired } from "./expiry.js";

/**
 * One login's chain of refresh tokens. The family, not each token, decides whether the chain still works: a
 * token is honoured only while its family exists, is unrevoked and unexpired, so revoking the family ends every
 * token of it, including one that a rotation in flight inserts after the revocation ran.
 */
export interface RefreshFamilyRecord {
  /** The familyId every token of the chain carries. */
  readonly _id: string;
  readonly userId: string;
  /** When the user logged in. */
  readonly createdAt: Date;
  /** The absolute end of the session (SESSION_MAX_AGE_SECONDS after login); the TTL index removes it then. */
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export class RefreshFamiliesRepository {
  readonly collection: Collection<RefreshFamilyRecord>;

  constructor(db: Db) {
    this.collection = db.collection<RefreshFamilyRecord>("refresh_families");
  }

  /** Resolves true when the server deletes expired records itself (TTL index), false when purgeExpired must. */
  async ensureIndexes(): Promise<boolean> {
    await this.collection.createIndex({ userId: 1 }, { name: "user" }, undefined);
    return ensureExpiryIndex(this.collection as unknown as Collection<never>);
  }

  purgeExpired(now: Date): Promise<number> {
    return purgeExpired(this.collection as unknown as Collection<never>, now);
  }

  async insert(record: RefreshFamilyRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  /** The family if it still honours its tokens: present, unrevoked and unexpired; else null. */
  findLive(familyId: string, now: Date): Promise<RefreshFamilyRecord | null> {
    return this.collection.findOne({ _id: familyId, revokedAt: null, expiresAt: { $gt: now } });
  }

  async revoke(familyId: string, now: Date): Promise<void> {
    await this.collection.updateOne({ _id: familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }

  async revokeAllOfUser(userId: string, now: Date): Promise<void> {
    await this.collection.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
  }
}
