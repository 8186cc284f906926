import { authOf, jsonResponse, problemResponse, requireAuth } from "@platform/shared";
import type { Link, TokenVerifier, OpenApi } from "@platform/shared";
import { Router } from "express";
import type { Response } from "express";
import { z } from "zod";
import type { JobRecord } from "../domain/job.js";
import type { JobBoard } from "../domain/job-board.js";
import { etagFor, preconditionFrom } from "./preconditions.js";
import {
  CreateJobBody,
  Job,
  JobIdParams,
  JobList,
  ListJobsQuery,
  PatchJobBody,
  toJobView,
} from "./schemas.js";

export const READ_SCOPE = "jobs:read";
export const WRITE_SCOPE = "jobs:write";

export interface JobsRoutesDeps {
  readonly board: JobBoard;
  readonly verifier: TokenVerifier;
  readonly openapi: OpenApi;
}

const IfMatchHeader = z.object({
  "if-match": z
    .string()
    .max(1000)
    .optional()
    .meta({ description: 'The ETag of the job version this change is based on, e.g. "3".' }),
});

const etagHeader = {
  ETag: {
    description: 'The job\'s version as a strong entity tag, e.g. "3".',
    schema: { type: "string" as const },
  },
};
/**
 * A job's id and ETag in a response feed the next read, change or delete of that job (OpenAPI links: Schemathesis's
 * stateful phase follows them, so it changes real jobs with their current version instead of guessing ids).
 */
const ifMatch = { "header.if-match": "$response.header.ETag" };
const jobLinks: Record<string, Link> = {
  getJob: { operationId: "getJob", parameters: { "path.id": "$response.body#/id" } },
  updateJob: { operationId: "updateJob", parameters: { "path.id": "$response.body#/id", ...ifMatch } },
  deleteJob: { operationId: "deleteJob", parameters: { "path.id": "$response.body#/id", ...ifMatch } },
};

const authProblems = {
  401: problemResponse("Missing, malformed, expired or otherwise invalid access token."),
  403: problemResponse("The token lacks the required scope."),
};

function sendJob(res: Response, job: JobRecord, status = 200): void {
  res.status(status).setHeader("ETag", etagFor(job.version));
  res.json(toJobView(job));
}

/** HTTP mapping of the jobs use cases: parse, call the board, shape the response. No rules live here. */
export function jobsRoutes({ board, verifier, openapi }: JobsRoutesDeps): Router {
  const router = Router();
  const canRead = [requireAuth(verifier, { scopes: [READ_SCOPE] })];
  const canWrite = [requireAuth(verifier, { scopes: [WRITE_SCOPE] })];

  openapi.route(router, {
    method: "get",
    path: "/v1/jobs",
    operationId: "listJobs",
    tags: ["jobs"],
    summary: "List jobs, newest first, one page at a time.",
    description:
      "Filters are exact matches and combine with AND. Follow `nextCursor` until it is null; pages stay " +
      "consistent while jobs are added. An invalid cursor is a 400. Drafts appear only in their owner's " +
      "listings; published jobs (open, closed) in everyone's.",
    security: [READ_SCOPE],
    middleware: canRead,
    request: { query: ListJobsQuery },
    responses: {
      200: jsonResponse("A page of jobs.", JobList),
      400: problemResponse("Invalid query."),
      ...authProblems,
    },
    handler: async ({ query }, _req, res) => {
      const page = await board.listJobs(query, authOf(res).sub);
      res.json({ items: page.items.map(toJobView), nextCursor: page.nextCursor });
    },
  });

  openapi.route(router, {
    method: "post",
    path: "/v1/jobs",
    operationId: "createJob",
    tags: ["jobs"],
    summary: "Create a job owned by the caller.",
    security: [WRITE_SCOPE],
    middleware: canWrite,
    request: { body: CreateJobBody },
    responses: {
      201: {
        ...jsonResponse("Created.", Job),
        headers: {
          ...etagHeader,
          Location: { description: "URL of the new job.", schema: { type: "string" } },
        },
        links: jobLinks,
      },
      400: problemResponse("Invalid body."),
      413: problemResponse("Body too large."),
      ...authProblems,
    },
    handler: async ({ body }, _req, res) => {
      const job = await board.createJob(body, authOf(res).sub);
      res.setHeader("Location", `/v1/jobs/${job.id}`);
      sendJob(res, job, 201);
    },
  });

  openapi.route(router, {
    method: "get",
    path: "/v1/jobs/{id}",
    operationId: "getJob",
    tags: ["jobs"],
    summary: "Read one job. Honours If-None-Match (304).",
    description:
      "A draft is visible to its owner only: anyone else gets 404, as for a job that does not exist.",
    security: [READ_SCOPE],
    middleware: canRead,
    request: { params: JobIdParams },
    responses: {
      200: { ...jsonResponse("The job.", Job), headers: etagHeader, links: jobLinks },
      404: problemResponse("No such job, someone else's draft, or a malformed id."),
      ...authProblems,
    },
    handler: async ({ params }, _req, res) => {
      sendJob(res, await board.getJob(params.id, authOf(res).sub));
    },
  });

  openapi.route(router, {
    method: "patch",
    path: "/v1/jobs/{id}",
    operationId: "updateJob",
    tags: ["jobs"],
    summary: "Change some fields of a job the caller owns.",
    description: "Requires If-Match with the ETag of the version the change is based on.",
    security: [WRITE_SCOPE],
    middleware: canWrite,
    request: { params: JobIdParams, headers: IfMatchHeader, body: PatchJobBody },
    responses: {
      200: { ...jsonResponse("The updated job.", Job), headers: etagHeader, links: jobLinks },
      400: problemResponse("Invalid body or If-Match."),
      ...authProblems,
      403: problemResponse("The token lacks jobs:write, or the caller does not own the job."),
      404: problemResponse("No such job, or someone else's draft."),
      412: problemResponse("The job has changed since the given ETag."),
      428: problemResponse("If-Match is missing."),
    },
    handler: async ({ params, headers, body }, _req, res) => {
      const precondition = preconditionFrom(headers["if-match"]);
      sendJob(res, await board.updateJob(params.id, authOf(res).sub, precondition, body));
    },
  });

  openapi.route(router, {
    method: "delete",
    path: "/v1/jobs/{id}",
    operationId: "deleteJob",
    tags: ["jobs"],
    summary: "Delete a job the caller owns. If-Match is optional and honoured.",
    security: [WRITE_SCOPE],
    middleware: canWrite,
    request: { params: JobIdParams, headers: IfMatchHeader },
    responses: {
      204: {
        description: "Deleted.",
        links: { getJob: { operationId: "getJob", parameters: { "path.id": "$request.path.id" } } },
      },
      ...authProblems,
      403: problemResponse("The token lacks jobs:write, or the caller does not own the job."),
      404: problemResponse("No such job, or someone else's draft."),
      412: problemResponse("If-Match was given and the job has changed since."),
    },
    handler: async ({ params, headers }, _req, res) => {
      await board.deleteJob(params.id, authOf(res).sub, preconditionFrom(headers["if-match"]));
      res.status(204).end();
    },
  });

  return router;
}
