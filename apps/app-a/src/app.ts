import {
  createBaseApp,
  createOpenApi,
  finishApp,
  healthRoutes,
  jsonResponse,
  problemResponse,
} from "@platform/shared";
import type { DocumentedApp, TokenVerifier, Logger, Metrics, Readiness, TrustProxy } from "@platform/shared";
import { z } from "zod";
import type { JobBoard } from "./domain/job-board.js";
import { jobsRoutes } from "./routes/jobs.js";

/** The use cases and what the HTTP layer needs around them; service.ts (the composition root) builds them. */
export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, "middleware">;
  readonly readiness: Readiness;
  readonly verifier: TokenVerifier;
  readonly board: JobBoard;
  readonly bodyLimit: string;
  readonly trustProxy: TrustProxy;
  readonly version: string;
}

/** Builds the jobs API without listening, so tests and main.ts serve the very same app. */
export function createApp(deps: AppDeps): DocumentedApp {
  const app = createBaseApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    version: deps.version,
  });
  const openapi = createOpenApi({
    title: "Jobs API (app-a)",
    version: deps.version,
    description:
      "Job postings owned by users. Every /v1 route needs a Bearer access token from the auth service: " +
      "reads need the jobs:read scope, writes jobs:write, and only a job's owner may change or delete it.",
  });

  const status = (value: string) => z.strictObject({ status: z.literal(value) });
  openapi.registerRoute({
    method: "get",
    path: "/healthz",
    tags: ["operations"],
    summary: "Liveness: the process answers.",
    responses: { 200: jsonResponse("Alive.", status("ok")) },
  });
  openapi.registerRoute({
    method: "get",
    path: "/readyz",
    tags: ["operations"],
    summary: "Readiness: MongoDB answers, indexes exist, and the instance is not shutting down.",
    responses: { 200: jsonResponse("Ready.", status("ready")), 503: problemResponse("Not ready.") },
  });
  app.use(healthRoutes({ readiness: deps.readiness }));
  app.use(jobsRoutes({ board: deps.board, verifier: deps.verifier, openapi }));
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi.document());
  });
  return Object.assign(finishApp(app, { logger: deps.logger }), {
    openApiDocument: () => openapi.document(),
  });
}
