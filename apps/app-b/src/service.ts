import { createTokenVerifier, startMongoService } from "@platform/shared";
import type { Logger, RunningHttpService, StartServiceOptions, TokenVerifier } from "@platform/shared";
import type { Db } from "mongodb";
import { createApp } from "./app.js";
import { AttemptCountersRepository } from "./data/attempt-counters-repository.js";
import { ensureIndexes, LOGIN_ATTEMPTS, REGISTRATION_ATTEMPTS, startExpirySweeper } from "./data/indexes.js";
import { RefreshFamiliesRepository } from "./data/refresh-families-repository.js";
import { RefreshTokensRepository } from "./data/refresh-tokens-repository.js";
import { UsersRepository } from "./data/users-repository.js";
import { Accounts } from "./domain/accounts.js";
import { createKeyStore, generateDevelopmentKey } from "./domain/keys.js";
import type { KeyStore } from "./domain/keys.js";
import { LoginThrottle } from "./domain/login-throttle.js";
import { createPasswordHasher } from "./domain/passwords.js";
import type { PasswordHasher } from "./domain/passwords.js";
import { RegistrationThrottle } from "./domain/registration-throttle.js";
import { Sessions } from "./domain/sessions.js";
import type { Config } from "./env.js";

/** What useCases() needs: the configuration, the database and the parts built from the configuration. */
export interface UseCaseDeps {
  readonly config: Pick<Config, "jwt" | "login" | "registration" | "ferretdbWorkarounds">;
  readonly logger: Logger;
  readonly db: Db;
  readonly keys: KeyStore;
  readonly passwords: PasswordHasher;
  readonly now?: () => Date;
}

/**
 * The composition root's core: the repositories over `db` and the domain's use cases over them. startService and
 * the offline OpenAPI document build the service from it, so there is one place where the parts are put together.
 */
export function useCases(deps: UseCaseDeps): {
  accounts: Accounts;
  sessions: Sessions;
  verifier: TokenVerifier;
} {
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
  return { accounts, sessions, verifier };
}

/**
 * Wires app-b from its configuration and starts serving, the way app-a does (shared's startMongoService). Rejects
 * with a StartupError when a configured signing key is unusable.
 */
export function startService(config: Config, options: StartServiceOptions = {}): Promise<RunningHttpService> {
  return startMongoService({
    service: "app-b",
    config,
    ...options,
    readinessTimeoutMs: 2000,
    build: async ({ logger, metrics, db, readiness }) => {
      let signingKeys = config.jwt.signingKeys;
      if (signingKeys === undefined) {
        // env.ts already refuses production without keys; this is development or test.
        signingKeys = [generateDevelopmentKey()];
        logger.warn(
          { kid: signingKeys[0]?.kid },
          "JWT_SIGNING_KEYS not set: generated an ephemeral signing key; tokens become invalid when the process stops",
        );
      }
      const keys = await createKeyStore(signingKeys);
      const passwords = await createPasswordHasher(config.argon2);
      let stopSweeper: () => void = () => undefined;
      return {
        app: createApp({
          config,
          logger,
          metrics,
          readiness,
          keys,
          ...useCases({ config, logger, db, keys, passwords }),
        }),
        ensureIndexes: async () => {
          const { nativeTtl } = await ensureIndexes(db);
          logger.info({ nativeTtl }, "indexes ready");
          // Where the server has no TTL indexes (FerretDB v1), the service purges expired records itself.
          if (!nativeTtl) {
            stopSweeper = startExpirySweeper(db, (error) => {
              logger.warn({ err: error }, "purging expired records failed; will retry");
            });
          }
        },
        onClose: () => {
          stopSweeper();
        },
      };
    },
  });
}
