/**
 * The platform as real processes for reliability tests: a MongoDB-compatible database, N instances of each app,
 * and optionally the nginx HTTPS ingress in front of them, all on loopback with OS-assigned ports.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { startIngress, startLocalMongo, startAppProcess } from "@platform/devkit";
import { json, request } from "./http.js";
import { newSigningKey, signingKeysEnv, type SigningKey } from "./tokens.js";

export type Service = Awaited<ReturnType<typeof startAppProcess>>;
export type Ingress = Awaited<ReturnType<typeof startIngress>>;
export type Mongo = Awaited<ReturnType<typeof startLocalMongo>>;

export interface PlatformOptions {
  readonly appAInstances?: number;
  readonly appBInstances?: number;
  readonly ingress?: boolean;
  /** A database of the test's own that it may stop and restart (outage tests); else MONGODB_URI when set. */
  readonly ownDatabase?: boolean;
  readonly appAEnv?: Record<string, string>;
  readonly appBEnv?: Record<string, string>;
}

export interface Platform {
  readonly mongo: Mongo;
  readonly key: SigningKey;
  readonly appA: Service[];
  readonly appB: Service[];
  readonly ingress: Ingress | undefined;
  readonly caPem: string | undefined;
  /** Starts one more instance with the same configuration (rolling restarts). */
  startAppA(jwksFrom?: Service): Promise<Service>;
  startAppB(): Promise<Service>;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const mongo = await startLocalMongo(
    options.ownDatabase ? { env: { ...process.env, MONGODB_URI: undefined } } : {},
  );
  const run = randomUUID().slice(0, 8);
  const key = newSigningKey(`rel-${run}`);
  const common = { MONGODB_URI: mongo.uri, LOG_LEVEL: "info", SHUTDOWN_DRAIN_DELAY_MS: "0" };
  const appBEnv = {
    ...common,
    MONGODB_DB: `rel_auth_${run}`,
    JWT_SIGNING_KEYS: signingKeysEnv([key]),
    ...options.appBEnv,
  };
  const startAppB = (): Promise<Service> => startAppProcess({ app: "app-b", env: appBEnv });
  const appB: Service[] = [];
  for (let i = 0; i < (options.appBInstances ?? 1); i++) appB.push(await startAppB());

  const startAppA = (jwksFrom?: Service): Promise<Service> =>
    startAppProcess({
      app: "app-a",
      env: {
        ...common,
        MONGODB_DB: `rel_jobs_${run}`,
        JWKS_URL: `${(jwksFrom ?? appB[0])?.url ?? ""}/.well-known/jwks.json`,
        ...options.appAEnv,
      },
    });
  const appA: Service[] = [];
  for (let i = 0; i < (options.appAInstances ?? 1); i++) appA.push(await startAppA());

  const ingress = options.ingress
    ? await startIngress({ appA: appA.map((s) => s.url), appB: appB.map((s) => s.url) })
    : undefined;
  return {
    mongo,
    key,
    appA,
    appB,
    ingress,
    caPem: ingress ? readFileSync(ingress.caFile, "utf8") : undefined,
    startAppA,
    startAppB,
    async stop() {
      await ingress?.stop();
      for (const s of [...appA, ...appB]) await s.stop("SIGTERM").catch(() => undefined);
      if (mongo.kind !== "external") await mongo.stop();
    },
  };
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

export function jobInput(i = 0): Record<string, unknown> {
  return {
    title: `Reliability engineer ${i}`,
    company: "Chaos Ltd",
    location: "Remote",
    description: "Keeps the lights on while things fail on purpose.",
    status: "open",
  };
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
