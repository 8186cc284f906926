import { z } from "zod";
import { JOB_STATUSES } from "../domain/job.js";
import type { CreateJobInput, JobPatch, ListJobsQuery as ListJobsInput, JobRecord } from "../domain/job.js";

/**
 * The jobs API's request and response schemas and the job's HTTP view. The routes validate with them and the
 * OpenAPI document is generated from them, so the two cannot drift. Every object is strict: unknown fields are a 400, which is also
 * what stops MongoDB operators ({"$gt": ...}) from reaching a query in any position.
 */

const MAX_SHORT_TEXT = 200;
const MAX_DESCRIPTION = 10_000;
/** Upper bound for salaries: large enough for any yearly salary in any currency unit, small enough to stay exact. */
const MAX_SALARY = 1_000_000_000;

export const JobStatus = z.enum(JOB_STATUSES).meta({
  id: "JobStatus",
  description: "draft: not yet published; open: accepting applications; closed: no longer accepting.",
});

/**
 * Text may hold any character but U+0000: MongoDB stores it, PostgreSQL-backed servers (FerretDB, DocumentDB)
 * refuse it (SQLSTATE 22P05), and no title, company or description needs it. A pattern, so the document says so.
 */
// eslint-disable-next-line no-control-regex -- the one character refused is the control character NUL
const NO_NUL = /^[^\u0000]*$/;
const NO_NUL_MESSAGE = "must not contain the NUL character (U+0000)";

const shortText = (description: string, example?: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(MAX_SHORT_TEXT)
    .regex(NO_NUL, NO_NUL_MESSAGE)
    .meta(example === undefined ? { description } : { description, example });

const longText = () => z.string().trim().max(MAX_DESCRIPTION).regex(NO_NUL, NO_NUL_MESSAGE);

const salaryAmount = z.int().min(0).max(MAX_SALARY);

export const Salary = z
  .strictObject({
    min: salaryAmount.meta({ description: "Lower bound, in whole currency units.", example: 50000 }),
    max: salaryAmount.meta({ description: "Upper bound, in whole currency units.", example: 70000 }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as EUR")
      .meta({ description: "ISO 4217 currency code.", example: "EUR" }),
  })
  .refine((s) => s.min <= s.max, { message: "min must not exceed max", path: ["max"] })
  .meta({ id: "Salary", description: "Salary range; min <= max." });

export const CreateJobBody = z
  .strictObject({
    title: shortText("Job title.", "Site Reliability Engineer"),
    company: shortText("Hiring company; exact-match filter in listings.", "Acme"),
    location: shortText("Location; exact-match filter in listings.", "Berlin"),
    description: longText().default("").meta({ description: "Free text." }),
    status: JobStatus.default("draft"),
    salary: Salary.optional(),
  })
  .meta({ id: "CreateJob" });

export const PatchJobBody = z
  .strictObject({
    title: shortText("Job title.").optional(),
    company: shortText("Hiring company.").optional(),
    location: shortText("Location.").optional(),
    description: longText().optional(),
    status: JobStatus.optional(),
    salary: Salary.nullable().optional().meta({ description: "A salary range, or null to remove it." }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: "at least one field must be given" })
  .meta({ id: "PatchJob", description: "Fields to change; absent fields stay as they are." });

/** A user id as the auth service issues it in `sub`; kept to a safe alphabet so it can be logged and compared. */
const UserId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "expected a user id or 'me'");

export const ListJobsQuery = z
  .strictObject({
    status: JobStatus.optional(),
    company: shortText("Only jobs of this company (exact match).").optional(),
    location: shortText("Only jobs in this location (exact match).").optional(),
    ownerId: UserId.optional().meta({ description: "Only jobs of this owner; `me` for the caller's own." }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: "Page size, 1..100." }),
    cursor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Opaque cursor from a previous page's nextCursor." }),
  })
  .meta({ id: "ListJobsQuery" });

export const JobIdParams = z.strictObject({
  id: z.string().max(64).meta({
    description:
      "Job id (24 hex characters). A malformed id names no job, so it is answered with 404 like an unknown one.",
    example: "665f1c2e8b3f4a0012345678",
  }),
});

export const Job = z
  .strictObject({
    id: z.string().meta({ example: "665f1c2e8b3f4a0012345678" }),
    title: z.string(),
    company: z.string(),
    location: z.string(),
    description: z.string(),
    status: JobStatus,
    salary: Salary.optional(),
    ownerId: z.string().meta({ description: "User id (token `sub`) of the job's creator." }),
    version: z
      .int()
      .min(1)
      .meta({ description: "Increments on every change; the ETag is its quoted value." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Job" });
export type JobView = z.infer<typeof Job>;

export const JobList = z
  .strictObject({
    items: z.array(Job),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; null at the end." }),
  })
  .meta({ id: "JobList" });

// What the schemas parse to is what the domain takes: a schema that drifts from the domain's types fails to build.
CreateJobBody satisfies z.ZodType<CreateJobInput>;
PatchJobBody satisfies z.ZodType<JobPatch>;
ListJobsQuery satisfies z.ZodType<ListJobsInput>;

/** A job as the API shows it: dates as ISO strings, no salary key when there is none. */
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
