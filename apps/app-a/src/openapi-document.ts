import { createLogger, createMetrics, Readiness } from "@platform/shared";
import type { OpenApiDocument } from "@platform/shared";
import { MongoClient } from "mongodb";
import { createApp } from "./app.js";
import { JobsRepository } from "./data/jobs-repository.js";
import { JobBoard } from "./domain/job-board.js";
import { loadConfig } from "./env.js";

/**
 * The jobs API's OpenAPI document without a database or a running service (the Gateway does not route
 * /openapi.json): createApp's own route registrations over parts no request ever reaches. The MongoDB driver
 * connects on first use, and nothing uses it here.
 */
export function openApiDocument(): OpenApiDocument {
  const config = loadConfig({});
  const app = createApp({
    logger: createLogger({ service: "app-a", level: "silent" }),
    metrics: createMetrics({ service: "app-a" }),
    readiness: new Readiness([]),
    verifier: { verify: () => Promise.reject(new Error("offline: no request is served")) },
    board: new JobBoard({
      jobs: new JobsRepository(new MongoClient(config.mongodbUri).db(config.mongodbDb)),
    }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    version: config.version,
  });
  return app.openApiDocument();
}
