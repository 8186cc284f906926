import { waitForHttp } from "@platform/devkit";
import { testServiceEnv } from "@platform/devkit/test-database";
import type { RunningHttpService } from "@platform/shared";
import type { Db } from "mongodb";
import type { SigningKeyInput } from "../../src/domain/keys.js";
import { loadConfig } from "../../src/env.js";
import type { Config } from "../../src/env.js";
import { startService } from "../../src/service.js";
import { createTestDatabase } from "./database.js";

export const TEST_ISSUER = "http://auth.test";
export const TEST_AUDIENCE = "jobs-api";

export interface TestAppOptions {
  readonly login?: Partial<Config["login"]>;
  readonly registration?: Partial<Config["registration"]>;
  readonly signingKeys?: SigningKeyInput[];
  readonly accessTokenTtlSeconds?: number;
  readonly sessionMaxAgeSeconds?: number;
  readonly bodyLimit?: string;
}

export interface TestApp {
  readonly baseUrl: string;
  readonly db: Db;
  close(): Promise<void>;
}

/** The environment main.ts would see, for a test of its own on a private database. */
function testEnv(database: { uri: string; name: string }, options: TestAppOptions): Record<string, string> {
  const env: Record<string, string> = {
    ...testServiceEnv(database),
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    // Tests stand in for a load balancer on loopback, so X-Forwarded-For picks the client address.
    TRUST_PROXY: "loopback",
    ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds ?? 900),
    REFRESH_TOKEN_TTL_SECONDS: "3600",
    SESSION_MAX_AGE_SECONDS: String(options.sessionMaxAgeSeconds ?? 7200),
    BODY_LIMIT: options.bodyLimit ?? "100kb",
    LOGIN_MAX_ATTEMPTS: String(options.login?.maxAttemptsPerAccountAndAddress ?? 5),
    LOGIN_MAX_ATTEMPTS_PER_IP: String(options.login?.maxAttemptsPerAddress ?? 50),
    LOGIN_WINDOW_SECONDS: String(options.login?.windowSeconds ?? 900),
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: String(options.login?.maxAttemptsPerAccount ?? 100),
    LOGIN_ACCOUNT_WINDOW_SECONDS: String(options.login?.accountWindowSeconds ?? 3600),
    // Most tests register many accounts from loopback; the throttling tests set their own limit.
    REGISTER_MAX_PER_IP: String(options.registration?.maxPerAddress ?? 1000),
    REGISTER_WINDOW_SECONDS: String(options.registration?.windowSeconds ?? 600),
  };
  // Unset: the service generates a development key, as it does on a laptop.
  if (options.signingKeys) env["JWT_SIGNING_KEYS"] = JSON.stringify(options.signingKeys);
  return env;
}

/**
 * Boots app-b the way main.ts does (real config parsing, startService, real HTTP on port 0, the production password
 * parameters) against a fresh real database, and waits until it reports ready (indexes exist).
 */
export async function startTestApp(label: string, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(label);
  let running: RunningHttpService;
  try {
    running = await startService(loadConfig(testEnv(database, options)), { handleSignals: false });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${running.port}`;
  const close = async () => {
    await running.close();
    await database.drop();
  };
  const ready = { timeoutMs: 10_000, intervalMs: 50, description: "app-b /readyz 200" };
  await waitForHttp(`${baseUrl}/readyz`, ready).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return { baseUrl, db: database.db, close };
}
