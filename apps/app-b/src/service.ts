import { startMongoService } from "@platform/shared";
import type { RunningHttpService, StartServiceOptions } from "@platform/shared";
import { createApp } from "./app.js";
import { ensureIndexes, startExpirySweeper } from "./data/indexes.js";
import { createKeyStore, generateDevelopmentKey } from "./domain/keys.js";
import { createPasswordHasher } from "./domain/passwords.js";
import type { Config } from "./env.js";

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
        app: createApp({ config, logger, metrics, db, keys, passwords, readiness }),
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
