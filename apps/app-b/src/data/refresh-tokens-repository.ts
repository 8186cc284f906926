import type { Collection, Db } from "mongodb";
import { ensureExpiryIndex, purgeExpired } from "./expiry.js";
import { isDuplicateKey } from "@platform/shared";

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

/** One per exchanged token: its unique `_id` is what lets exactly one exchange through (see consume). */
interface RefreshTokenUse {
  readonly _id: string;
  readonly usedAt: Date;
  readonly expiresAt: Date;
}

/** Unused, unrevoked and unexpired: a token that may still be exchanged. */
export function isLive(record: RefreshTokenRecord, now: Date): boolean {
  return record.usedAt === null && record.revokedAt === null && record.expiresAt > now;
}

export class RefreshTokensRepository {
  readonly collection: Collection<RefreshTokenRecord>;
  private readonly uses: Collection<RefreshTokenUse>;

  /**
   * @param useRecords The FerretDB workaround of consume (docs/decisions/0001-revision-claims.md): default true;
   *   false (FERRETDB_WORKAROUNDS=false) where the server is MongoDB, whose filtered findOneAndUpdate is atomic.
   */
  constructor(
    db: Db,
    private readonly useRecords = true,
  ) {
    this.collection = db.collection<RefreshTokenRecord>("refresh_tokens");
    this.uses = db.collection<RefreshTokenUse>("refresh_token_uses");
  }

  /** Resolves true when the server deletes expired records itself (TTL index), false when purgeExpired must. */
  async ensureIndexes(): Promise<boolean> {
    await this.collection.createIndex({ familyId: 1 }, { name: "family" }, undefined);
    const tokensTtl = await ensureExpiryIndex(this.collection as unknown as Collection<never>);
    const usesTtl = await ensureExpiryIndex(this.uses as unknown as Collection<never>);
    return tokensTtl && usesTtl;
  }

  async purgeExpired(now: Date): Promise<number> {
    const tokens = await purgeExpired(this.collection as unknown as Collection<never>, now);
    return tokens + (await purgeExpired(this.uses as unknown as Collection<never>, now));
  }

  async insert(record: RefreshTokenRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  /**
   * Marks the token used if, and only if, it is still unused, unrevoked and unexpired, so that of two concurrent
   * refreshes with the same token exactly one gets the record back. On MongoDB the filtered findOneAndUpdate alone
   * is atomic; FerretDB v1 does not apply its filter atomically (measured: two clients both won 27 times in 30),
   * so the exchange first inserts a use record whose unique `_id` admits one caller on either server.
   */
  async consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    const record = await this.collection.findOne({ _id: tokenHash });
    // A used, revoked or expired token records no use: presenting a dead token must not look like an exchange.
    if (!record || !isLive(record, now)) return null;
    if (this.useRecords && !(await this.recordUse(record, now))) return null;
    return this.collection.findOneAndUpdate(
      { _id: tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: "before" },
    );
  }

  /** Admits one exchange of the token on any server: the use record's unique `_id` refuses the second (false). */
  private async recordUse(record: RefreshTokenRecord, now: Date): Promise<boolean> {
    try {
      await this.uses.insertOne({ _id: record._id, usedAt: now, expiresAt: record.expiresAt });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** True once the token was exchanged (or an exchange of it has begun): presenting it again is reuse. */
  async wasExchanged(record: RefreshTokenRecord): Promise<boolean> {
    if (record.usedAt !== null || !this.useRecords) return record.usedAt !== null;
    return (await this.uses.countDocuments({ _id: record._id }, { limit: 1 })) > 0;
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.collection.findOne({ _id: tokenHash });
  }

  async revokeAllOfUser(userId: string, now: Date): Promise<void> {
    await this.collection.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
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
