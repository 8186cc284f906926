import type { CreateJobInput, JobPatch, JobStatus, JobView, ListJobsQuery, Salary } from "./schemas.js";

/** A job as the domain sees it; the repository maps it to and from MongoDB documents. */
export interface JobRecord {
  readonly id: string;
  readonly title: string;
  readonly company: string;
  readonly location: string;
  readonly description: string;
  readonly status: JobStatus;
  readonly salary?: Salary;
  readonly ownerId: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewJob = Omit<JobRecord, "id">;

/** What a PATCH changes: fields to set, and optional fields to remove (null in the request). */
export interface JobChanges {
  readonly set: Partial<
    Pick<JobRecord, "title" | "company" | "location" | "description" | "status" | "salary">
  >;
  readonly unset: readonly "salary"[];
}

/** Exact-match filters of a listing, with `ownerId=me` already resolved to the caller. */
export interface JobFilter {
  readonly status?: JobStatus;
  readonly company?: string;
  readonly location?: string;
  readonly ownerId?: string;
}

export function newJob(input: CreateJobInput, ownerId: string, now: Date): NewJob {
  return {
    title: input.title,
    company: input.company,
    location: input.location,
    description: input.description,
    status: input.status,
    ...(input.salary ? { salary: input.salary } : {}),
    ownerId,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

export function jobChanges(patch: JobPatch): JobChanges {
  // The schema leaves absent fields out, so what remains is exactly what the client asked to change.
  const { salary, ...fields } = patch;
  return {
    set: salary ? { ...fields, salary } : fields,
    unset: salary === null ? ["salary"] : [],
  };
}

export function jobFilter(query: ListJobsQuery, callerId: string): JobFilter {
  return {
    ...(query.status ? { status: query.status } : {}),
    ...(query.company ? { company: query.company } : {}),
    ...(query.location ? { location: query.location } : {}),
    ...(query.ownerId ? { ownerId: query.ownerId === "me" ? callerId : query.ownerId } : {}),
  };
}

export function isOwner(job: Pick<JobRecord, "ownerId">, userId: string): boolean {
  return job.ownerId === userId;
}

export function toJobView(job: JobRecord): JobView {
  return {
    id: job.id,
    title: job.title,
    company: job.company,
    location: job.location,
    description: job.description,
    status: job.status,
    ...(job.salary ? { salary: job.salary } : {}),
    ownerId: job.ownerId,
    version: job.version,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
