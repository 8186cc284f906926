export const JOB_STATUSES = ["draft", "open", "closed"] as const;
/** draft: not yet published; open: accepting applications; closed: no longer accepting. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A salary range in whole currency units; min <= max. */
export interface Salary {
  readonly min: number;
  readonly max: number;
  /** ISO 4217 code. */
  readonly currency: string;
}

/** What a caller gives to create a job (validated at the edge). */
export interface CreateJobInput {
  readonly title: string;
  readonly company: string;
  readonly location: string;
  readonly description: string;
  readonly status: JobStatus;
  readonly salary?: Salary | undefined;
}

/** Fields to change; absent fields stay as they are, `salary: null` removes the salary. */
export interface JobPatch {
  readonly title?: string | undefined;
  readonly company?: string | undefined;
  readonly location?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: JobStatus | undefined;
  readonly salary?: Salary | null | undefined;
}

/** A listing request: exact-match filters (`ownerId: "me"` for the caller), a page size and where to continue. */
export interface ListJobsQuery {
  readonly status?: JobStatus | undefined;
  readonly company?: string | undefined;
  readonly location?: string | undefined;
  readonly ownerId?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

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

/** Which versions of a job a change is based on, as the caller stated them (HTTP: If-Match). */
export type Precondition =
  /** None stated: an update is refused (428), a delete goes ahead. */
  | { readonly kind: "missing" }
  /** The change applies only if the job's version is one of `versions` (possibly none). */
  | { readonly kind: "versions"; readonly versions: readonly number[] }
  /** Any current version. Allowed by HTTP, but it would defeat lost-update protection, so updates refuse it. */
  | { readonly kind: "any" };

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
  /** Whose listing this is: drafts are their owner's alone, so only this user's drafts are included. */
  readonly viewerId: string;
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
    viewerId: callerId,
  };
}

export function isOwner(job: Pick<JobRecord, "ownerId">, userId: string): boolean {
  return job.ownerId === userId;
}
