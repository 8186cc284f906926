import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, createMetrics, mongoPing, Readiness } from "@platform/shared";
import type { Db } from "mongodb";
import { createApp } from "../../src/app.js";
import { ensureIndexes } from "../../src/data/indexes.js";
import { createKeyStore, generateDevelopmentKey } from "../../src/domain/keys.js";
import type { SigningKeyInput } from "../../src/domain/keys.js";
import { createPasswordHasher } from "../../src/domain/passwords.js";
import { ARGON2_MINIMUM } from "../../src/env.js";
import type { Config } from "../../src/env.js";
import { createTestDatabase } from "./database.js";

export const TEST_ISSUER = "http://auth.test";
export const TEST_AUDIENCE = "jobs-api";

export interface TestAppOptions {
  readonly login?: Partial<Config["login"]>;
  readonly signingKeys?: SigningKeyInput[];
  readonly accessTokenTtlSeconds?: number;
  readonly bodyLimit?: string;
}

export interface TestApp {
  readonly baseUrl: string;
  readonly db: Db;
  close(): Promise<void>;
}

/** Boots createApp against a fresh real database on an OS-chosen port, with the production password parameters. */
export async function startTestApp(label: string, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(label);
  await ensureIndexes(database.db);
  const logger = createLogger({ service: "app-b-test", level: "silent" });
  const app = createApp({
    config: {
      bodyLimit: options.bodyLimit ?? "100kb",
      // Tests stand in for a load balancer on loopback, so X-Forwarded-For picks the client address.
      trustProxy: "loopback",
      jwt: {
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        signingKeys: undefined,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
        refreshTokenTtlSeconds: 3600,
      },
      login: { maxAttemptsPerAccount: 5, maxAttemptsPerAddress: 50, windowSeconds: 900, ...options.login },
    },
    logger,
    metrics: createMetrics({ service: "app-b-test" }),
    db: database.db,
    keys: await createKeyStore(options.signingKeys ?? [generateDevelopmentKey()]),
    passwords: await createPasswordHasher(ARGON2_MINIMUM),
    readiness: new Readiness([() => mongoPing(database.client)]),
  });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db: database.db,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.drop();
    },
  };
}
