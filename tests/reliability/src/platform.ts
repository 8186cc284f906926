/**
 * The platform as real processes for reliability tests: a MongoDB-compatible database, N instances of each app,
 * and optionally the nginx HTTPS ingress in front of them, all on loopback with OS-assigned ports.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildJob, newSigningKey, startStack } from "@platform/devkit";
import type { AppProcess, JobInput, SigningKey, Stack } from "@platform/devkit";
import { json, request } from "./http.js";

export type Service = AppProcess;

export interface PlatformOptions {
  readonly appAInstances?: number;
  readonly appBInstances?: number;
  readonly ingress?: boolean;
  /** A database of the test's own that it may stop and restart (outage tests); else MONGODB_URI when set. */
  readonly ownDatabase?: boolean;
  readonly appAEnv?: Record<string, string>;
  readonly appBEnv?: Record<string, string>;
}

/** devkit's stack, plus the signing key the tests mint tokens with and the ingress CA as PEM. */
export interface Platform extends Stack {
  readonly key: SigningKey;
  readonly caPem: string | undefined;
  /** Starts one more instance with the same configuration (rolling restarts); JWKS from the first app-b. */
  startAppA(): Promise<Service>;
  startAppB(): Promise<Service>;
}

/**
 * app-b settings for schema-driven fuzzing: it logs in with generated credentials, from one address and often for
 * the same few generated accounts, so the login throttle would otherwise answer 429 before the handlers run.
 */
export const FUZZ_APP_B_ENV: Readonly<Record<string, string>> = {
  LOGIN_MAX_ATTEMPTS_PER_IP: "1000000",
  LOGIN_MAX_ATTEMPTS: "1000000",
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "1000000",
  REGISTER_MAX_PER_IP: "1000000",
};

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const run = randomUUID().slice(0, 8);
  const key = newSigningKey(`rel-${run}`);
  const stack = await startStack({
    instances: { "app-a": options.appAInstances ?? 1, "app-b": options.appBInstances ?? 1 },
    ingress: options.ingress ? {} : false,
    ownDatabase: options.ownDatabase ?? false,
    signingKey: key,
    env: { LOG_LEVEL: "info", SHUTDOWN_DRAIN_DELAY_MS: "0" },
    serviceEnv: {
      "app-a": { MONGODB_DB: `rel_jobs_${run}`, ...options.appAEnv },
      "app-b": { MONGODB_DB: `rel_auth_${run}`, ...options.appBEnv },
    },
  });
  return Object.assign(stack, {
    key,
    caPem: stack.ingress ? readFileSync(stack.ingress.caFile, "utf8") : undefined,
    startAppA: () => stack.startInstance("app-a"),
    startAppB: () => stack.startInstance("app-b"),
  });
}

export interface User {
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Registers a fresh user on app-b and logs in. */
export async function newUser(appBUrl: string, ca?: string): Promise<User> {
  const email = `u-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const opts = ca ? { ca } : {};
  const reg = await request(`${appBUrl}/v1/auth/register`, {
    ...opts,
    method: "POST",
    body: JSON.stringify({ email, password }),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.body}`);
  const res = await request(`${appBUrl}/v1/auth/login`, {
    ...opts,
    method: "POST",
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.body}`);
  const tokens = json<{ accessToken: string; refreshToken: string }>(res);
  return { email, password, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}

/** A valid job for instance `i` of a test: devkit's job factory with a numbered title. */
export function jobInput(i = 0): JobInput {
  return buildJob({ title: `Reliability engineer ${i}` });
}

export async function createJob(appAUrl: string, token: string, i = 0, ca?: string): Promise<string> {
  const res = await request(`${appAUrl}/v1/jobs`, {
    ...(ca ? { ca } : {}),
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(jobInput(i)),
  });
  if (res.status !== 201) throw new Error(`create job: ${res.status} ${res.body}`);
  return json<{ id: string }>(res).id;
}
