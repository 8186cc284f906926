import { createLogger, createMetrics, Readiness } from "@platform/shared";
import type { OpenApiDocument } from "@platform/shared";
import { MongoClient } from "mongodb";
import { createApp } from "./app.js";
import { useCases } from "./service.js";
import { createKeyStore, generateDevelopmentKey } from "./domain/keys.js";
import { createPasswordHasher } from "./domain/passwords.js";
import { loadConfig } from "./env.js";

/**
 * The auth service's OpenAPI document without a database or a running service (the Gateway does not route
 * /openapi.json): createApp's own route registrations over parts no request ever reaches. The MongoDB driver
 * connects on first use, and nothing uses it here.
 */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const config = loadConfig({});
  const logger = createLogger({ service: "app-b", level: "silent" });
  const keys = await createKeyStore([generateDevelopmentKey()]);
  const app = createApp({
    config,
    logger,
    metrics: createMetrics({ service: "app-b" }),
    readiness: new Readiness([]),
    keys,
    ...useCases({
      config,
      logger,
      db: new MongoClient(config.mongodbUri).db(config.mongodbDb),
      keys,
      passwords: await createPasswordHasher(config.argon2),
    }),
  });
  return app.openApiDocument();
}
