import { createJwksVerifier, startMongoService } from "@platform/shared";
import type { RunningHttpService, StartServiceOptions } from "@platform/shared";
import { createApp } from "./app.js";
import { JobsRepository } from "./data/jobs-repository.js";
import { JobBoard } from "./domain/job-board.js";
import type { Config } from "./env.js";

/**
 * The composition root: builds app-a's repository and its domain (the job board) from its configuration, hands the
 * use cases to createApp, and starts serving (shared's startMongoService: listens at once, /readyz
 * fails until MongoDB answers and the indexes exist, index creation retries in the background).
 */
export function startService(config: Config, options: StartServiceOptions = {}): Promise<RunningHttpService> {
  return startMongoService({
    service: "app-a",
    config,
    ...options,
    build: ({ logger, metrics, db, readiness }) => {
      const jobs = new JobsRepository(db, { ferretdbWorkarounds: config.ferretdbWorkarounds });
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
        board: new JobBoard({ jobs }),
        bodyLimit: config.bodyLimit,
        trustProxy: config.trustProxy,
        version: config.version,
      });
      return {
        app,
        ensureIndexes: async () => {
          await jobs.ensureIndexes();
          logger.info("indexes ensured");
        },
      };
    },
  });
}
