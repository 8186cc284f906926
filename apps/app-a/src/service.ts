import {
  createJwksVerifier,
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
import { JobsRepository } from "./data/jobs-repository.js";
import type { Config } from "./env.js";

const SERVICE = "app-a";

export interface StartOptions {
  readonly logger?: Logger;
  /** false in tests: they call close() instead of sending signals. */
  readonly handleSignals?: boolean;
}

/**
 * Wires app-a from its configuration and starts serving. It does not wait for MongoDB: the process listens at
 * once, /readyz fails until MongoDB answers and the indexes exist, and index creation retries in the background.
 */
export async function startService(config: Config, options: StartOptions = {}): Promise<RunningHttpService> {
  const { version } = config;
  const logger = options.logger ?? createLogger({ service: SERVICE, level: config.logLevel, version });
  const metrics = createMetrics({ service: SERVICE, version });
  const client = createMongoClient({ uri: config.mongodbUri, appName: SERVICE });
  const jobs = new JobsRepository(client.db(config.mongodbDb), {
    ferretdbWorkarounds: config.ferretdbWorkarounds,
  });
  const indexes = retryInBackground(() => jobs.ensureIndexes(), {
    name: "index creation",
    onError: (err, attempt, nextDelayMs) => {
      logger.warn({ err, attempt, nextDelayMs }, "could not ensure indexes; will retry");
    },
    onSuccess: (attempt) => {
      logger.info({ attempt }, "indexes ensured");
    },
  });
  const readiness = new Readiness([() => mongoPing(client), () => indexes.check()]);
  const verifier = createJwksVerifier({
    jwksUrl: config.jwksUrl,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const app = createApp({
    logger,
    metrics,
    readiness,
    verifier,
    jobs,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    version,
  });
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
        await client.close();
      },
    ],
  });
}
