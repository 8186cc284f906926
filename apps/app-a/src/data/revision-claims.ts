import { isDuplicateKey } from "@platform/shared";
import type { Collection, Db, ObjectId } from "mongodb";

interface ClaimDocument {
  /** `<jobId>:<version>`: the unique key is what makes a claim exclusive. */
  _id: string;
  jobId: ObjectId;
  claimedAt: Date;
}

export const CLAIMS_COLLECTION = "job_revision_claims";

/** What the jobs repository needs of revision claims; UNGUARDED where the server's filters are atomic. */
export interface Claims {
  ensureIndexes(): Promise<void>;
  claim(jobId: ObjectId, version: number, now: Date): Promise<boolean>;
  release(jobId: ObjectId, version: number): Promise<void>;
  releaseAll(jobId: ObjectId): Promise<void>;
}

/**
 * No claims (FERRETDB_WORKAROUNDS=false): on MongoDB the version in the findOneAndUpdate/deleteOne filter alone
 * makes the write a compare-and-set, so every claim is granted and nothing is stored (docs/decisions/0001).
 */
export const UNGUARDED: Claims = {
  ensureIndexes: () => Promise.resolve(),
  claim: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  releaseAll: () => Promise.resolve(),
};

/**
 * Exclusive rights to write a job's next version. On MongoDB, findOneAndUpdate filtered by version is already an
 * atomic compare-and-set. FerretDB v1 (the local and test database) evaluates update filters outside its write
 * transaction, so two updates of the same version can both succeed there. An insert with a unique `_id` is atomic
 * on both, so an update first claims "<job>:<version + 1>"; exactly one claimant can hold it.
 *
 * At most one claim per job outlives its update (the claim for the current version, kept so a racing update
 * from the previous version still loses); it is dropped when the job moves on or is deleted.
 * Why, and what it costs on MongoDB: docs/decisions/0001-revision-claims.md.
 */
export class RevisionClaims implements Claims {
  private readonly collection: Collection<ClaimDocument>;

  /**
   * @param leaseMs A claim older than this whose job never reached the claimed version is an orphan (its holder
   *   died between claiming and writing) and may be taken over. Longer than any single database operation.
   */
  constructor(
    db: Db,
    private readonly leaseMs = 60_000,
  ) {
    this.collection = db.collection<ClaimDocument>(CLAIMS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { jobId: 1 }, name: "jobId_1" }]);
  }

  /** True if the caller now holds the right to move `jobId` to `version`; false if someone else does. */
  async claim(jobId: ObjectId, version: number, now: Date): Promise<boolean> {
    if (await this.tryInsert(jobId, version, now)) return true;
    const existing = await this.collection.findOne({ _id: claimId(jobId, version) });
    if (existing && now.getTime() - existing.claimedAt.getTime() > this.leaseMs) {
      // Exact match on claimedAt: if another caller took the orphan over first, this deletes nothing.
      await this.collection.deleteOne({ _id: existing._id, claimedAt: existing.claimedAt });
      return this.tryInsert(jobId, version, now);
    }
    return false;
  }

  /** Gives up a claim (the write it guarded did not happen), or drops one that is no longer needed. */
  async release(jobId: ObjectId, version: number): Promise<void> {
    await this.collection.deleteOne({ _id: claimId(jobId, version) });
  }

  async releaseAll(jobId: ObjectId): Promise<void> {
    await this.collection.deleteMany({ jobId });
  }

  private async tryInsert(jobId: ObjectId, version: number, now: Date): Promise<boolean> {
    try {
      await this.collection.insertOne({ _id: claimId(jobId, version), jobId, claimedAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
}

function claimId(jobId: ObjectId, version: number): string {
  return `${jobId.toHexString()}:${version}`;
}
