import { buildJob as buildValidJob, waitForHttp } from "@platform/devkit";
import { testServiceEnv } from "@platform/devkit/test-database";
import type { RunningHttpService } from "@platform/shared";
import type { z } from "zod";
import { loadConfig } from "../../src/env.js";
import type { CreateJobBody } from "../../src/routes/schemas.js";
import { startService } from "../../src/service.js";
import { createTestDatabase } from "./database.js";
import type { TestDatabase } from "./database.js";
import { startTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from "./tokens.js";
import type { TestIssuer, TokenOptions } from "./tokens.js";

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the body is JSON, else the raw text. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read fields of whatever JSON came back
  readonly body: any;
}

export interface RequestOptions {
  /** A token to send as Bearer; `null` sends no Authorization header. Default: a fresh read+write token. */
  readonly token?: string | null;
  readonly tokenOptions?: TokenOptions;
  readonly json?: unknown;
  /** Sent as is, with content-type application/json unless headers say otherwise. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface TestService {
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly issuer: TestIssuer;
  readonly database: TestDatabase;
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * Boots app-a the way main.ts does (real config parsing, real HTTP on port 0, real database, real JWKS fetches),
 * against a private database and a stand-in token issuer, and waits until it reports ready.
 */
export interface StartTestServiceOptions {
  /** Overrides of the environment the service is configured with. */
  readonly env?: Record<string, string>;
  /** Wait for /readyz before returning (default true). */
  readonly waitReady?: boolean;
}

export async function startTestService(
  label: string,
  options: StartTestServiceOptions = {},
): Promise<TestService> {
  const database = await createTestDatabase(label);
  const issuer = await startTestIssuer();
  let running: RunningHttpService;
  try {
    const config = loadConfig({
      ...testServiceEnv(database),
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      ...options.env,
    });
    running = await startService(config, { handleSignals: false });
  } catch (error) {
    await Promise.allSettled([database.drop(), issuer.close()]);
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${running.port}`;

  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? await issuer.sign(options.tokenOptions) : options.token;
    if (token !== null) headers["authorization"] = `Bearer ${token}`;
    let body: string | undefined;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (options.rawBody !== undefined) body = options.rawBody;
    if (body !== undefined) headers["content-type"] = "application/json";
    Object.assign(headers, options.headers);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get("content-type") ?? "")) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed };
  };

  const service: TestService = {
    baseUrl,
    metricsUrl: `http://127.0.0.1:${running.metricsPort}/metrics`,
    issuer,
    database,
    request,
    close: async () => {
      await running.close();
      await Promise.allSettled([database.drop(), issuer.close()]);
    },
  };
  if (options.waitReady ?? true) {
    await waitUntilReady(service).catch(async (error: unknown) => {
      await service.close();
      throw error;
    });
  }
  return service;
}

/** Polls /readyz until it answers 200, so tests start only once indexes exist. */
export async function waitUntilReady(
  service: Pick<TestService, "baseUrl">,
  timeoutMs = 10_000,
): Promise<void> {
  await waitForHttp(`${service.baseUrl}/readyz`, {
    timeoutMs,
    intervalMs: 50,
    description: "app-a /readyz 200",
  });
}

/**
 * devkit's job factory (the one all tests share), loosely typed here because the bad-input tests override fields
 * with values the API must refuse.
 */
export function buildJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...buildValidJob(), ...overrides };
}

// The shared factory must build what the API accepts: if CreateJobBody drifts from JobInput, this fails to build.
buildValidJob() satisfies z.input<typeof CreateJobBody>;
