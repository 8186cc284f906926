import { AppError } from "@platform/shared";
import type { JobsRepository } from "../data/jobs-repository.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { isOwner, jobChanges, jobFilter, newJob } from "./job.js";
import type { CreateJobInput, JobPatch, JobRecord, ListJobsQuery, Precondition } from "./job.js";

export interface JobBoardDeps {
  readonly jobs: JobsRepository;
  readonly now?: () => Date;
}

export interface JobPage {
  readonly items: JobRecord[];
  readonly nextCursor: string | null;
}

/** The jobs use cases. Routes translate HTTP to these calls; every rule about jobs lives here. */
export class JobBoard {
  private readonly jobs: JobsRepository;
  private readonly now: () => Date;

  constructor(deps: JobBoardDeps) {
    this.jobs = deps.jobs;
    this.now = deps.now ?? (() => new Date());
  }

  createJob(input: CreateJobInput, ownerId: string): Promise<JobRecord> {
    return this.jobs.insert(newJob(input, ownerId, this.now()));
  }

  /** A job the caller may see: a published one, or a draft of their own (anyone else's draft is a 404). */
  async getJob(id: string, callerId: string): Promise<JobRecord> {
    const job = await this.jobs.findById(id, callerId);
    if (!job) throw jobNotFound(id);
    return job;
  }

  async listJobs(query: ListJobsQuery, callerId: string): Promise<JobPage> {
    const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (position === null)
      throw AppError.badRequest("cursor is not one this API issued; start again without it");
    // One extra row tells whether another page exists without a count query.
    const rows = await this.jobs.list(jobFilter(query, callerId), position?.afterId, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor({ afterId: last.id }) : null,
    };
  }

  /** Changes a job if the caller owns it and the precondition names its current version (else 428/412/403/404). */
  async updateJob(
    id: string,
    callerId: string,
    precondition: Precondition,
    patch: JobPatch,
  ): Promise<JobRecord> {
    if (precondition.kind === "missing" || precondition.kind === "any") {
      throw AppError.preconditionRequired(
        'send If-Match with the ETag from your last read of this job (for example If-Match: "1")',
      );
    }
    const updated = await this.jobs.updateIfVersion(
      id,
      callerId,
      precondition.versions,
      jobChanges(patch),
      this.now(),
    );
    if (updated) return updated;
    throw await this.whyNotChanged(id, callerId);
  }

  /** Deletes a job the caller owns; a precondition is optional here, but honoured when given. */
  async deleteJob(id: string, callerId: string, precondition: Precondition): Promise<void> {
    const versions = precondition.kind === "versions" ? precondition.versions : undefined;
    if (await this.jobs.deleteIfOwned(id, callerId, versions)) return;
    throw await this.whyNotChanged(id, callerId);
  }

  /** After a guarded write matched nothing: the job is gone, not the caller's, or at another version. */
  private async whyNotChanged(id: string, callerId: string): Promise<AppError> {
    const current = await this.jobs.findById(id, callerId);
    if (!current) return jobNotFound(id);
    if (!isOwner(current, callerId))
      return AppError.forbidden("only the job's owner may change or delete it");
    return AppError.preconditionFailed(
      `the job has changed since you read it (it is now at version ${current.version}); read it again and retry`,
    );
  }
}

function jobNotFound(id: string): AppError {
  return AppError.notFound(`no job with id ${JSON.stringify(id.slice(0, 64))}`);
}
