/**
 * The services under test as real processes, started by devkit's startStack: a local MongoDB-compatible database,
 * app-b, app-a and optionally the nginx HTTPS ingress, plus a seeded user, jobs and tokens for the scenarios.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildJob, repoRoot, startAppProcess, startStack } from "@platform/devkit";
import type { AppProcess, Ingress, JobInput, LocalMongo } from "@platform/devkit";

export interface BenchPlatform {
  readonly mongo: LocalMongo;
  readonly appA: AppProcess;
  readonly appB: AppProcess;
  readonly ingress?: Ingress;
  readonly caPem?: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly jobIds: readonly string[];
  /** app-a's database (MONGODB_DB), which the raw-driver baseline reads too. */
  readonly jobsDb: string;
  /**
   * Starts one more app-a from another build's `dist/main.js` (an A/B of two commits in one run) with the stack's
   * settings and database, and has it serve the same seeding writes the stack's app-a did; stopped with the stack.
   */
  startAppAFrom(entry: string, env?: Record<string, string>): Promise<AppProcess>;
  stop(): Promise<void>;
}

export interface BenchPlatformOptions {
  readonly ingress: boolean;
  /** Extra environment for app-a / app-b (e.g. NODE_OPTIONS for profiling). */
  readonly appAEnv?: Record<string, string>;
  readonly appBEnv?: Record<string, string>;
  readonly seedJobs?: number;
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

/** The job the scenarios create: devkit's job factory, with the fields of the measured runs in bench/results/. */
export function jobBody(i: number): JobInput {
  return buildJob({
    title: `Bench engineer ${i}`,
    company: "Bench Corp",
    location: "Remote",
    description: "Measures things under load and writes down what it found.",
    salary: undefined,
  });
}

/**
 * The node flags of the image's ENTRYPOINT (between the node binary and dist/main.js), so the services are measured
 * with the heap settings they run with in production rather than those V8 derives from this machine's RAM.
 */
export function imageNodeFlags(dockerfile = readFileSync(join(repoRoot(), "Dockerfile"), "utf8")): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (line === undefined) throw new Error("the Dockerfile has no exec-form ENTRYPOINT");
  const argv = JSON.parse(line) as string[];
  return argv.slice(1, argv.indexOf("dist/main.js"));
}

/** NODE_OPTIONS for a service: the image's flags, then the caller's (profiling) options. */
function nodeOptions(extra: string | undefined): string {
  return [...imageNodeFlags(), ...(extra ? [extra] : [])].join(" ");
}

export async function startBenchPlatform(options: BenchPlatformOptions): Promise<BenchPlatform> {
  const run = randomUUID().slice(0, 8);
  const jobsDb = `bench_jobs_${run}`;
  const env = {
    LOG_LEVEL: "info",
    SHUTDOWN_DRAIN_DELAY_MS: "0",
    TRUST_PROXY: "loopback",
    // Production refuses the development defaults, so every such variable is set explicitly.
    JWT_ISSUER: "http://bench.local",
  };
  const stack = await startStack({
    // Production settings (no generated dev key): devkit gives app-b a signing key of its own.
    nodeEnv: "production",
    ingress: options.ingress ? { accessLog: false } : false,
    env,
    serviceEnv: {
      "app-b": {
        MONGODB_DB: `bench_auth_${run}`,
        ACCESS_TOKEN_TTL_SECONDS: "3600",
        // The login scenario logs in the same account thousands of times: lift the brute-force limits for it.
        LOGIN_MAX_ATTEMPTS: "100000000",
        LOGIN_MAX_ATTEMPTS_PER_IP: "100000000",
        LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "100000000",
        ...options.appBEnv,
        NODE_OPTIONS: nodeOptions(options.appBEnv?.NODE_OPTIONS),
      },
      "app-a": {
        MONGODB_DB: jobsDb,
        ...options.appAEnv,
        NODE_OPTIONS: nodeOptions(options.appAEnv?.NODE_OPTIONS),
      },
    },
  });
  const { mongo, ingress } = stack;
  const [appA, appB] = [stack.appA[0], stack.appB[0]];
  if (!appA || !appB) throw new Error("startStack started no app instances");

  const email = `bench-${run}@example.com`;
  const password = `bench-password-${run}-long-enough`;
  const reg = await postJson(`${appB.url}/v1/auth/register`, { email, password });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
  const accessToken = String((await login(appB.url, email, password)).accessToken);

  const extras: AppProcess[] = [];
  const seed = async (url: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < (options.seedJobs ?? 200); i++) {
      const res = await postJson(`${url}/v1/jobs`, jobBody(i), { authorization: `Bearer ${accessToken}` });
      if (res.status !== 201)
        throw new Error(`seeding job failed: ${res.status} ${JSON.stringify(res.json)}`);
      ids.push(String(res.json.id));
    }
    return ids;
  };
  const jobIds = await seed(appA.url);

  return {
    mongo,
    appA,
    appB,
    ...(ingress ? { ingress, caPem: readFileSync(ingress.caFile, "utf8") } : {}),
    email,
    password,
    accessToken,
    jobIds,
    jobsDb,
    startAppAFrom: async (entry, extraEnv = {}) => {
      const extra = await startAppProcess({
        app: "app-a",
        entry,
        env: {
          NODE_ENV: "production",
          ...env,
          MONGODB_URI: mongo.uri,
          JWKS_URL: `${appB.url}/.well-known/jwks.json`,
          MONGODB_DB: jobsDb,
          ...options.appAEnv,
          NODE_OPTIONS: nodeOptions(options.appAEnv?.NODE_OPTIONS),
          ...extraEnv,
        },
      });
      extras.push(extra);
      // The same writes as the stack's app-a served: a process that has only ever served reads runs them ~6%
      // cheaper (its shared code paths stay monomorphic), which an A/B would otherwise credit to the build.
      await seed(extra.url);
      return extra;
    },
    stop: async () => {
      await Promise.all(extras.map((p) => p.stop().catch(() => undefined)));
      await stack.stop();
    },
  };
}
