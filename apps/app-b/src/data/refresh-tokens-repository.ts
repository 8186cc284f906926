import type { Collection, Db } from "mongodb";
import { ensureExpiryIndex, purgeExpired } from "./expiry.js";

export interface RefreshTokenRecord {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  readonly _id: string;
  /** Every token descended from one login shares it, so reuse can revoke the whole chain. */
  readonly familyId: string;
  readonly userId: string;
  readonly createdAt: Date;
  /** The TTL index deletes the record after this time. */
  readonly expiresAt: Date;
  /** Set when exchanged for a new pair; a second exchange is reuse. */
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

export class RefreshTokensRepository {
  readonly collection: Collection<RefreshTokenRecord>;

  constructor(db: Db) {
    this.collection = db.collection<RefreshTokenRecord>("refresh_tokens");
  }

  /** Resolves true when the server deletes expired records itself (TTL index), false when purgeExpired must. */
  async ensureIndexes(): Promise<boolean> {
    await this.collection.createIndex({ familyId: 1 }, { name: "family" }, undefined);
    return ensureExpiryIndex(this.collection as unknown as Collection<never>);
  }

  purgeExpired(now: Date): Promise<number> {
    return purgeExpired(this.collection as unknown as Collection<never>, now);
  }

  async insert(record: RefreshTokenRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  /**
   * Marks the token used if, and only if, it is still unused, unrevoked and unexpired: one atomic
   * findOneAndUpdate, so of two concurrent refreshes with the same token exactly one gets the record back.
   */
  consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    return this.collection.findOneAndUpdate(
      { _id: tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: "before" },
    );
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.collection.findOne({ _id: tokenHash });
  }

  /** Revokes every not-yet-revoked token of the family; returns how many were revoked. */
  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const result = await this.collection.updateMany(
      { familyId, revokedAt: null },
      { $set: { revokedAt: now } },
    );
    return result.modifiedCount;
  }
}
