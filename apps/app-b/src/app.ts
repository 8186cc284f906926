import { createBaseApp, createOpenApi, finishApp, healthRoutes } from "@platform/shared";
import type { DocumentedApp, Logger, Metrics, Readiness, TokenVerifier } from "@platform/shared";
import type { Accounts } from "./domain/accounts.js";
import type { KeyStore } from "./domain/keys.js";
import type { Sessions } from "./domain/sessions.js";
import type { Config } from "./env.js";
import { authRoutes } from "./routes/auth-routes.js";
import { metaRoutes } from "./routes/meta-routes.js";

/** The use cases and what the HTTP layer needs around them; service.ts (the composition root) builds them. */
export interface AppDeps {
  readonly config: Pick<Config, "bodyLimit" | "trustProxy" | "version">;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly keys: KeyStore;
  readonly accounts: Accounts;
  readonly sessions: Sessions;
  readonly verifier: TokenVerifier;
}

/** Builds the auth service's Express app (does not listen): HTTP mapping of the use cases it is given. */
export function createApp(deps: AppDeps): DocumentedApp {
  const { config, logger, keys, accounts, sessions, verifier } = deps;
  const openapi = createOpenApi({
    title: "Auth service (app-b)",
    version: config.version,
    description:
      "Registration, login, rotating refresh tokens and the public keys that verify access tokens.",
  });

  const app = createBaseApp({
    logger,
    metrics: deps.metrics,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    version: config.version,
  });
  app.use(healthRoutes({ readiness: deps.readiness }));
  app.use(authRoutes({ accounts, sessions, verifier, openapi }));
  app.use(metaRoutes({ keys, openapi }));
  return Object.assign(finishApp(app, { logger }), { openApiDocument: () => openapi.document() });
}
