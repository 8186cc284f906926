import { ObjectId } from "mongodb";
import type { Collection, Db, Filter, IndexDescription, UpdateFilter } from "mongodb";
import type { JobChanges, JobFilter, JobRecord, NewJob } from "../domain/job.js";

interface JobDocument extends NewJob {
  _id: ObjectId;
}

export const JOBS_COLLECTION = "jobs";

/**
 * One index per listing filter, each ending in the sort key, so a filtered page is an index range scan in
 * `_id` order instead of a scan-and-sort. Unfiltered listings use the built-in `_id` index. Names are explicit
 * so creating them again at every start-up is a no-op.
 */
export const JOB_INDEXES: IndexDescription[] = [
  { key: { status: 1, _id: -1 }, name: "status_1__id_-1" },
  { key: { company: 1, _id: -1 }, name: "company_1__id_-1" },
  { key: { location: 1, _id: -1 }, name: "location_1__id_-1" },
  { key: { ownerId: 1, _id: -1 }, name: "ownerId_1__id_-1" },
];

/** Parses a job id; a malformed id cannot name a stored job, so callers treat null as "not found". */
function toObjectId(id: string): ObjectId | null {
  return /^[0-9a-fA-F]{24}$/.test(id) ? ObjectId.createFromHexString(id) : null;
}

function toRecord({ _id, ...rest }: JobDocument): JobRecord {
  return { id: _id.toHexString(), ...rest };
}

/** Data access for jobs. Every method is a single MongoDB operation (no transactions: FerretDB has none). */
export class JobsRepository {
  private readonly collection: Collection<JobDocument>;

  constructor(db: Db) {
    this.collection = db.collection<JobDocument>(JOBS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    // One index per command: FerretDB v1.24 drops the connection when a single createIndexes command names two
    // indexes that already exist, which is exactly the every-start-up case. MongoDB is indifferent.
    for (const index of JOB_INDEXES) await this.collection.createIndexes([index]);
  }

  async insert(job: NewJob): Promise<JobRecord> {
    // The server side assigns the id, so `_id` order is creation order, which the listing relies on.
    const document: JobDocument = { _id: new ObjectId(), ...job };
    await this.collection.insertOne(document);
    return toRecord(document);
  }

  async findById(id: string): Promise<JobRecord | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const document = await this.collection.findOne({ _id });
    return document ? toRecord(document) : null;
  }

  /** Newest first; `afterId` continues below the last id of the previous page. */
  async list(filter: JobFilter, afterId: string | undefined, limit: number): Promise<JobRecord[]> {
    const query: Filter<JobDocument> =
      afterId === undefined
        ? { ...filter }
        : { ...filter, _id: { $lt: ObjectId.createFromHexString(afterId) } };
    const documents = await this.collection.find(query).sort({ _id: -1 }).limit(limit).toArray();
    return documents.map(toRecord);
  }

  /**
   * Applies `changes` only if the job is owned by `ownerId` and currently at one of `versions`, in one atomic
   * operation, so of two concurrent updates based on the same version exactly one wins. Returns the updated job,
   * or null when nothing matched (the caller finds out why).
   */
  async updateIfVersion(
    id: string,
    ownerId: string,
    versions: readonly number[],
    changes: JobChanges,
    now: Date,
  ): Promise<JobRecord | null> {
    const _id = toObjectId(id);
    if (!_id || versions.length === 0) return null;
    const update: UpdateFilter<JobDocument> = {
      $set: { ...changes.set, updatedAt: now },
      $inc: { version: 1 },
    };
    if (changes.unset.length > 0) update.$unset = Object.fromEntries(changes.unset.map((f) => [f, ""]));
    const document = await this.collection.findOneAndUpdate(
      { _id, ownerId, version: versions.length === 1 ? versions[0] : { $in: [...versions] } },
      update,
      { returnDocument: "after" },
    );
    return document ? toRecord(document) : null;
  }

  /** Deletes the job if `ownerId` owns it (and, when given, it is at one of `versions`); true if deleted. */
  async deleteIfOwned(id: string, ownerId: string, versions?: readonly number[]): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    const filter: Filter<JobDocument> = versions
      ? { _id, ownerId, version: { $in: [...versions] } }
      : { _id, ownerId };
    const result = await this.collection.deleteOne(filter);
    return result.deletedCount === 1;
  }
}
