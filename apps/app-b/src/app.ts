import { createBaseApp, createOpenApi, createTokenVerifier, finishApp, healthRoutes } from "@platform/shared";
import type { DocumentedApp, Logger, Metrics, Readiness } from "@platform/shared";
import type { Db } from "mongodb";
import { AttemptCountersRepository } from "./data/attempt-counters-repository.js";
import { RefreshFamiliesRepository } from "./data/refresh-families-repository.js";
import { RefreshTokensRepository } from "./data/refresh-tokens-repository.js";
import { LOGIN_ATTEMPTS, REGISTRATION_ATTEMPTS } from "./data/indexes.js";
import { UsersRepository } from "./data/users-repository.js";
import { Accounts } from "./domain/accounts.js";
import type { KeyStore } from "./domain/keys.js";
import { LoginThrottle } from "./domain/login-throttle.js";
import type { PasswordHasher } from "./domain/passwords.js";
import { RegistrationThrottle } from "./domain/registration-throttle.js";
import { Sessions } from "./domain/sessions.js";
import type { Config } from "./env.js";
import { authRoutes } from "./routes/auth-routes.js";
import { metaRoutes } from "./routes/meta-routes.js";

export interface AppDeps {
  readonly config: Pick<
    Config,
    "bodyLimit" | "trustProxy" | "jwt" | "login" | "registration" | "version" | "ferretdbWorkarounds"
  >;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly db: Db;
  readonly keys: KeyStore;
  readonly passwords: PasswordHasher;
  readonly readiness: Readiness;
  readonly now?: () => Date;
}

/** Builds the auth service's Express app (does not listen). */
export function createApp(deps: AppDeps): DocumentedApp {
  const { config, logger, db, keys } = deps;
  const now = deps.now ?? (() => new Date());
  const users = new UsersRepository(db);
  const sessions = new Sessions({
    keys,
    accessTokens: {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTokenTtlSeconds,
    },
    refreshTokenTtlSeconds: config.jwt.refreshTokenTtlSeconds,
    sessionMaxAgeSeconds: config.jwt.sessionMaxAgeSeconds,
    refreshTokens: new RefreshTokensRepository(db, config.ferretdbWorkarounds),
    families: new RefreshFamiliesRepository(db),
    users,
    logger,
    now,
  });
  const accounts = new Accounts({
    users,
    passwords: deps.passwords,
    throttle: new LoginThrottle(new AttemptCountersRepository(db, LOGIN_ATTEMPTS), config.login),
    registrations: new RegistrationThrottle(
      new AttemptCountersRepository(db, REGISTRATION_ATTEMPTS),
      config.registration,
    ),
    sessions,
    now,
  });
  // Our own tokens are checked against our own public keys: no HTTP round trip to ourselves.
  const verifier = createTokenVerifier({
    keys: keys.verificationKeys,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
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
