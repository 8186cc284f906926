import type { RequestListener } from "node:http";
import type { Db } from "mongodb";
import { retryInBackground } from "./background-task.js";
import type { BackgroundTask } from "./background-task.js";
import type { ServiceConfig } from "./config.js";
import { Readiness } from "./health.js";
import type { RunningHttpService } from "./lifecycle.js";
import { runHttpService } from "./lifecycle.js";
import { createLogger } from "./logger.js";
import type { Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import type { Metrics } from "./metrics.js";
import { createMongoClient, mongoPing } from "./mongo.js";

/** What both services' startService share with the app they build. */
export interface ServiceWiring {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The service's own database (MONGODB_DB), on a client that connects lazily. */
  readonly db: Db;
  /** Fails until MongoDB answers and the indexes exist, and while shutting down. */
  readonly readiness: Readiness;
}

/** What a service adds to the wiring: its app, its index creation, and what to stop at shutdown. */
export interface ServiceParts {
  readonly app: RequestListener;
  /** Creates the indexes (idempotent); retried in the background until it succeeds. */
  readonly ensureIndexes: () => Promise<void>;
  /** Run at shutdown after the servers stopped and before the MongoDB client closes. */
  readonly onClose?: () => void | Promise<void>;
}

/** The options of each app's `startService(config, options)`. */
export interface StartServiceOptions {
  /** Replaces the logger built from the config (tests). */
  readonly logger?: Logger;
  /** false in tests: they call close() instead of sending signals. */
  readonly handleSignals?: boolean;
}

export interface StartMongoServiceOptions extends StartServiceOptions {
  /** The `service` field of logs and metrics, e.g. "app-a". */
  readonly service: string;
  readonly config: ServiceConfig;
  /** How long each readiness check may take (default 1 s). */
  readonly readinessTimeoutMs?: number;
  readonly build: (wiring: ServiceWiring) => ServiceParts | Promise<ServiceParts>;
}

/**
 * The one way a service starts (docs/runtime-contract.md): logger, metrics, a lazily connecting MongoDB client,
 * readiness, index creation retried in the background (0.5 s doubling to 30 s), then runHttpService. It does not
 * wait for MongoDB: the process listens at once and /readyz fails until MongoDB answers and the indexes exist.
 */
export async function startMongoService(options: StartMongoServiceOptions): Promise<RunningHttpService> {
  const { config, service } = options;
  const logger = options.logger ?? createLogger({ service, level: config.logLevel, version: config.version });
  const metrics = createMetrics({ service, version: config.version });
  const client = createMongoClient({ uri: config.mongodbUri, appName: service });
  // The app needs readiness before its index task exists; the check reads the task once build has returned.
  const indexes: { task?: BackgroundTask } = {};
  const readiness = new Readiness(
    [() => mongoPing(client), () => indexes.task?.check() ?? Promise.reject(new Error("starting"))],
    options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs },
  );
  const parts = await options.build({ logger, metrics, db: client.db(config.mongodbDb), readiness });
  const task = retryInBackground(parts.ensureIndexes, {
    name: "index creation",
    onError: (err, attempt, nextDelayMs) => {
      logger.warn({ err, attempt, nextDelayMs }, "could not ensure indexes; will retry");
    },
  });
  indexes.task = task;
  return runHttpService({
    app: parts.app,
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
        task.stop();
        await parts.onClose?.();
        await client.close();
      },
    ],
  });
}
