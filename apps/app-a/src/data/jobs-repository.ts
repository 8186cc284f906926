import { ObjectId } from "mongodb";
import type { Collection, Db, Filter, IndexDescription, UpdateFilter } from "mongodb";
import { RevisionClaims, UNGUARDED } from "./revision-claims.js";
import type { Claims } from "./revision-claims.js";
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

/** Drafts are visible to their owner only: to anyone else a draft is as absent as a job that does not exist. */
function visibleTo(viewerId: string): Filter<JobDocument> {
  return { $or: [{ status: { $ne: "draft" } }, { ownerId: viewerId }] };
}

function toRecord({ _id, ...rest }: JobDocument): JobRecord {
  return { id: _id.toHexString(), ...rest };
}

export interface JobsRepositoryOptions {
  /**
   * The FerretDB workarounds (docs/decisions/0001 and 0003): revision claims before guarded writes, one index per
   * createIndexes command. Default true; false where the server is MongoDB.
   */
  readonly ferretdbWorkarounds?: boolean;
}

/** Data access for jobs. No multi-document transactions: FerretDB has none. */
export class JobsRepository {
  private readonly collection: Collection<JobDocument>;
  private readonly claims: Claims;
  private readonly oneIndexPerCommand: boolean;

  constructor(db: Db, options: JobsRepositoryOptions = {}) {
    const workarounds = options.ferretdbWorkarounds ?? true;
    this.collection = db.collection<JobDocument>(JOBS_COLLECTION);
    this.claims = workarounds ? new RevisionClaims(db) : UNGUARDED;
    this.oneIndexPerCommand = workarounds;
  }

  async ensureIndexes(): Promise<void> {
    await this.claims.ensureIndexes();
    // One index per command: FerretDB v1.24 drops the connection when a single createIndexes command names two
    // indexes that already exist, which is exactly the every-start-up case (docs/decisions/0003).
    if (!this.oneIndexPerCommand) {
      await this.collection.createIndexes(JOB_INDEXES);
      return;
    }
    for (const index of JOB_INDEXES) await this.collection.createIndexes([index]);
  }

  async insert(job: NewJob): Promise<JobRecord> {
    // The server side assigns the id, so `_id` order is creation order, which the listing relies on.
    const document: JobDocument = { _id: new ObjectId(), ...job };
    await this.collection.insertOne(document);
    return toRecord(document);
  }

  /** The job, if `viewerId` may see it (a draft only its owner). */
  async findById(id: string, viewerId: string): Promise<JobRecord | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    // By _id alone, then the visibility rule in code: a filter with $or next to _id is not pushed down to an index
    // lookup by FerretDB (it scanned the collection per read: the outage test's read-back of 4,000 jobs timed out).
    const document = await this.collection.findOne({ _id });
    if (!document || (document.status === "draft" && document.ownerId !== viewerId)) return null;
    return toRecord(document);
  }

  /** Newest first; `afterId` continues below the last id of the previous page. */
  async list(filter: JobFilter, afterId: string | undefined, limit: number): Promise<JobRecord[]> {
    const { viewerId, ...match } = filter;
    const query: Filter<JobDocument> =
      afterId === undefined
        ? { ...match, ...visibleTo(viewerId) }
        : { ...match, ...visibleTo(viewerId), _id: { $lt: ObjectId.createFromHexString(afterId) } };
    const documents = await this.collection.find(query).sort({ _id: -1 }).limit(limit).toArray();
    return documents.map(toRecord);
  }

  /**
   * Applies `changes` only if the job is owned by `ownerId` and currently at one of `versions`. Of two concurrent
   * updates based on the same version exactly one wins: the revision claim makes that so on every server, and
   * the version in the findOneAndUpdate filter makes it so again on MongoDB. Returns the updated job, or null when
   * the job is missing, not the caller's, at another version, or lost a race (the caller finds out which).
   */
  async updateIfVersion(
    id: string,
    ownerId: string,
    versions: readonly number[],
    changes: JobChanges,
    now: Date,
  ): Promise<JobRecord | null> {
    const current = await this.findGuarded(id, ownerId, versions);
    if (!current) return null;
    const { _id, version } = current;
    if (!(await this.claims.claim(_id, version + 1, now))) return null;
    const update: UpdateFilter<JobDocument> = {
      $set: { ...changes.set, updatedAt: now },
      $inc: { version: 1 },
    };
    if (changes.unset.length > 0) update.$unset = Object.fromEntries(changes.unset.map((f) => [f, ""]));
    let document: JobDocument | null;
    try {
      document = await this.collection.findOneAndUpdate({ _id, ownerId, version }, update, {
        returnDocument: "after",
      });
    } catch (error) {
      await this.claims.release(_id, version + 1).catch(() => undefined);
      throw error;
    }
    // Success: the claim that guarded the previous version can go. Failure: give this claim back.
    await this.claims.release(_id, document ? version : version + 1);
    return document ? toRecord(document) : null;
  }

  /** Deletes the job if `ownerId` owns it (and, when given, it is at one of `versions`); true if deleted. */
  async deleteIfOwned(id: string, ownerId: string, versions?: readonly number[]): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    if (versions) {
      // A conditional delete races with updates like an update does, so it claims the next version too.
      const current = await this.findGuarded(id, ownerId, versions);
      if (!current || !(await this.claims.claim(_id, current.version + 1, new Date()))) return false;
    }
    const filter: Filter<JobDocument> = versions
      ? { _id, ownerId, version: { $in: [...versions] } }
      : { _id, ownerId };
    const result = await this.collection.deleteOne(filter);
    await this.claims.releaseAll(_id);
    return result.deletedCount === 1;
  }

  /** The job's document if it exists, belongs to `ownerId` and is at one of `versions`. */
  private async findGuarded(
    id: string,
    ownerId: string,
    versions: readonly number[],
  ): Promise<JobDocument | null> {
    const _id = toObjectId(id);
    if (!_id || versions.length === 0) return null;
    return this.collection.findOne({ _id, ownerId, version: { $in: [...versions] } });
  }
}
