import {
  createLogger,
  createMetrics,
  createMongoClient,
  mongoPing,
  Readiness,
  retryInBackground,
  runHttpService,
} from "@platform/shared";
import type { Logger, RunningHttpService } from "@platform/shared";
import { createApp } from "./app.js";
import { ensureIndexes, startExpirySweeper } from "./data/indexes.js";
import { createKeyStore, generateDevelopmentKey } from "./domain/keys.js";
import { createPasswordHasher } from "./domain/passwords.js";
import type { Config } from "./env.js";

const SERVICE = "app-b";

export interface StartOptions {
  readonly logger?: Logger;
  /** false in tests: they call close() instead of sending signals. */
  readonly handleSignals?: boolean;
}

/**
 * Wires app-b from its configuration and starts serving, the way app-a's startService does. It does not wait for
 * MongoDB: the process listens at once, /readyz fails until MongoDB answers and the indexes exist, and index
 * creation retries in the background. Rejects with a StartupError when a configured signing key is unusable.
 */
export async function startService(config: Config, options: StartOptions = {}): Promise<RunningHttpService> {
  const { version } = config;
  const logger = options.logger ?? createLogger({ service: SERVICE, level: config.logLevel, version });
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
  const client = createMongoClient({ uri: config.mongodbUri, appName: SERVICE });
  const db = client.db(config.mongodbDb);
  let stopSweeper: () => void = () => undefined;
  const indexes = retryInBackground(
    async () => {
      const { nativeTtl } = await ensureIndexes(db);
      logger.info({ nativeTtl }, "indexes ready");
      if (!nativeTtl) {
        stopSweeper = startExpirySweeper(db, (error) => {
          logger.warn({ err: error }, "purging expired records failed; will retry");
        });
      }
    },
    {
      name: "index creation",
      onError: (err, attempt, nextDelayMs) => {
        logger.warn({ err, attempt, nextDelayMs }, "could not ensure indexes; will retry");
      },
    },
  );
  const readiness = new Readiness([() => indexes.check(), () => mongoPing(client)], { timeoutMs: 2000 });
  const metrics = createMetrics({ service: SERVICE, version });
  const app = createApp({ config, logger, metrics, db, keys, passwords, readiness });
  return runHttpService({
    app,
    host: config.host,
    port: config.port,
    logger,
    readiness,
    metrics: { registry: metrics.registry, port: config.metricsPort },
    drainDelayMs: config.drainDelayMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    handleSignals: options.handleSignals ?? true,
    onClose: [
      async () => {
        indexes.stop();
        stopSweeper();
        await client.close();
      },
    ],
  });
}
