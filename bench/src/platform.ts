/**
 * The services under test as real processes (via @platform/devkit): a local MongoDB-compatible database, app-b,
 * app-a and optionally the nginx HTTPS ingress, plus a seeded user, jobs and tokens for the scenarios.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { startIngress, startLocalMongo, startAppProcess } from "@platform/devkit";

type Service = Awaited<ReturnType<typeof startAppProcess>>;
type Ingress = Awaited<ReturnType<typeof startIngress>>;
type Mongo = Awaited<ReturnType<typeof startLocalMongo>>;

export interface Stack {
  readonly mongo: Mongo;
  readonly appA: Service;
  readonly appB: Service;
  readonly ingress?: Ingress;
  readonly caPem?: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly jobIds: readonly string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly ingress: boolean;
  /** Extra environment for app-a / app-b (e.g. NODE_OPTIONS for profiling). */
  readonly appAEnv?: Record<string, string>;
  readonly appBEnv?: Record<string, string>;
  readonly seedJobs?: number;
}

/** A signing key the bench owns, so app-b runs with production settings (no generated dev key). */
function signingKeys(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return JSON.stringify([{ kid: "bench-1", privateKeyPem: pem }]);
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function login(
  appBUrl: string,
  email: string,
  password: string,
): Promise<Record<string, unknown>> {
  const res = await postJson(`${appBUrl}/v1/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

export function jobBody(i: number): Record<string, unknown> {
  return {
    title: `Bench engineer ${i}`,
    company: "Bench Corp",
    location: "Remote",
    description: "Measures things under load and writes down what it found.",
    status: "open",
  };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const mongo = await startLocalMongo();
  const run = randomUUID().slice(0, 8);
  const common = {
    NODE_ENV: "production",
    MONGODB_URI: mongo.uri,
    LOG_LEVEL: "info",
    SHUTDOWN_DRAIN_DELAY_MS: "0",
    TRUST_PROXY: "loopback",
    // Production refuses the development defaults, so every such variable is set explicitly.
    JWT_ISSUER: "http://bench.local",
  };
  const appB = await startAppProcess({
    app: "app-b",
    env: {
      ...common,
      MONGODB_DB: `bench_auth_${run}`,
      JWT_SIGNING_KEYS: signingKeys(),
      ACCESS_TOKEN_TTL_SECONDS: "3600",
      // The login scenario logs in the same account thousands of times: lift the brute-force limits for it.
      LOGIN_MAX_ATTEMPTS: "100000000",
      LOGIN_MAX_ATTEMPTS_PER_IP: "100000000",
      ...options.appBEnv,
    },
  });
  const appA = await startAppProcess({
    app: "app-a",
    env: {
      ...common,
      MONGODB_DB: `bench_jobs_${run}`,
      JWKS_URL: `${appB.url}/.well-known/jwks.json`,
      ...options.appAEnv,
    },
  });
  const ingress = options.ingress
    ? await startIngress({ appA: [appA.url], appB: [appB.url], accessLog: false })
    : undefined;

  const email = `bench-${run}@example.com`;
  const password = `bench-password-${run}-long-enough`;
  const reg = await postJson(`${appB.url}/v1/auth/register`, { email, password });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
  const accessToken = String((await login(appB.url, email, password)).accessToken);

  const jobIds: string[] = [];
  for (let i = 0; i < (options.seedJobs ?? 200); i++) {
    const res = await postJson(`${appA.url}/v1/jobs`, jobBody(i), { authorization: `Bearer ${accessToken}` });
    if (res.status !== 201) throw new Error(`seeding job failed: ${res.status} ${JSON.stringify(res.json)}`);
    jobIds.push(String(res.json.id));
  }

  return {
    mongo,
    appA,
    appB,
    ...(ingress ? { ingress, caPem: readFileSync(ingress.caFile, "utf8") } : {}),
    email,
    password,
    accessToken,
    jobIds,
    async stop() {
      await ingress?.stop();
      await appA.stop("SIGTERM");
      await appB.stop("SIGTERM");
      await mongo.stop();
    },
  };
}
