import {
  ConfigError,
  createLogger,
  createMetrics,
  createMongoClient,
  mongoPing,
  Readiness,
  runHttpService,
} from "@platform/shared";
import { createApp } from "./app.js";
import { indexesReadinessCheck, startExpirySweeper } from "./data/indexes.js";
import { createKeyStore, generateDevelopmentKey, SigningKeyError } from "./domain/keys.js";
import { createPasswordHasher } from "./domain/passwords.js";
import { loadConfig } from "./env.js";
import type { Config } from "./env.js";
import { VERSION } from "./version.js";

/** Start-up failures before a logger exists: one JSON line on stderr in the same shape, then exit 1. */
function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ severity: "CRITICAL", message, service: "app-b" })}\n`);
  process.exit(1);
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger({ service: "app-b", level: config.logLevel, version: VERSION });
  let signingKeys = config.jwt.signingKeys;
  if (signingKeys === undefined) {
    // env.ts already refuses production without keys; this is development or test.
    signingKeys = [generateDevelopmentKey()];
    logger.warn(
      { kid: signingKeys[0]?.kid },
      "JWT_SIGNING_KEYS not set: generated an ephemeral signing key; tokens become invalid when the process stops",
    );
  }
  const keys = await createKeyStore(signingKeys).catch((error: unknown) => {
    if (error instanceof SigningKeyError) fail(error.message);
    throw error;
  });
  const passwords = await createPasswordHasher(config.argon2);
  const mongo = createMongoClient({ uri: config.mongodbUri, appName: "app-b" });
  const db = mongo.db(config.mongodbDb);
  let stopSweeper: () => void = () => undefined;
  const indexesCreated = indexesReadinessCheck(db, ({ nativeTtl }) => {
    logger.info({ nativeTtl }, "indexes ready");
    if (!nativeTtl) {
      stopSweeper = startExpirySweeper(db, (error) => {
        logger.warn({ err: error }, "purging expired records failed; will retry");
      });
    }
  });
  const readiness = new Readiness([indexesCreated, () => mongoPing(mongo)], { timeoutMs: 2000 });
  const metrics = createMetrics({ service: "app-b", version: VERSION });
  const app = createApp({ config, logger, metrics, db, keys, passwords, readiness });

  // Create indexes now if the database is up; if not, the readiness probe keeps trying.
  readiness.check().catch((error: unknown) => {
    logger.warn({ err: error }, "not ready yet (database unreachable?); readiness will retry");
  });

  await runHttpService({
    app,
    host: config.host,
    port: config.port,
    logger,
    readiness,
    metrics: { registry: metrics.registry, port: config.metricsPort },
    drainDelayMs: config.drainDelayMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    onClose: [
      () => {
        stopSweeper();
        return mongo.close();
      },
    ],
  });
}

main().catch((error: unknown) => {
  fail(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
