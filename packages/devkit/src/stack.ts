import { JWKS_PATH, SERVICES } from "@platform/contract";
import type { ServiceEntry } from "@platform/contract";
import { startAppProcess } from "./app-process.js";
import type { AppName, AppProcess } from "./app-process.js";
import { startIngress } from "./ingress.js";
import type { Ingress, StartIngressOptions } from "./ingress.js";
import { startLocalMongo } from "./mongo.js";
import type { LocalMongo, StartLocalMongoOptions } from "./mongo.js";
import { newSigningKey, signingKeysEnv } from "./signing-keys.js";
import type { SigningKey } from "./signing-keys.js";

type Env = Record<string, string | undefined>;

export interface StartStackOptions {
  /** The services to run (default every service of the catalogue). */
  services?: readonly ServiceEntry[];
  /** Instances per service, or per service name separately (default 1 each). */
  instances?: number | Readonly<Record<string, number>>;
  /** The first instance of each service listens on its catalogue `port` and `metricsPort` (`pnpm dev`); default free ports. */
  cataloguePorts?: boolean;
  /** nginx ingress in front of all instances; `false` for none (default none). */
  ingress?: Omit<StartIngressOptions, "upstreams" | "onLine"> | false;
  mongo?: StartLocalMongoOptions;
  /**
   * A database of the stack's own that it may stop and restart (outage tests): MONGODB_URI is ignored. Default
   * false: MONGODB_URI when set, else a database devkit starts.
   */
  ownDatabase?: boolean;
  /** NODE_ENV of every service (default: whatever `env` or the caller's environment says). */
  nodeEnv?: "development" | "test" | "production";
  /** The key every instance of the token issuer signs with (default a fresh one); tests that mint tokens pass their own. */
  signingKey?: SigningKey;
  /** Added to every service's environment. */
  env?: Env;
  /** Added to one service's environment, by service name (after what the stack sets). */
  serviceEnv?: Readonly<Record<string, Env>>;
  /** Every output line, tagged with its source ("mongo", "app-a#1", "nginx", ...). */
  onLine?: (source: string, line: string) => void;
}

/** Database, the services in dependency order and optionally the ingress. */
export interface Stack {
  readonly mongo: LocalMongo;
  /** The instances of every service, by name. */
  readonly services: Readonly<Record<string, AppProcess[]>>;
  /** `services["app-a"]` and `services["app-b"]` (empty when not running), for the suites written for those two. */
  readonly appA: AppProcess[];
  readonly appB: AppProcess[];
  readonly ingress: Ingress | undefined;
  /** The Ed25519 key every instance of the token issuer shares, and its JWT_SIGNING_KEYS value. */
  readonly signingKey: SigningKey;
  readonly signingKeys: string;
  /**
   * Starts one more instance of `app` with the stack's settings (a verifier's JWKS_URL = the issuer's current
   * first instance) and resolves once it is ready. It is neither added to `services` nor to the ingress: the caller
   * decides.
   */
  startInstance(app: AppName): Promise<AppProcess>;
  /**
   * Replaces instance `index` of `app` with a fresh process on the same settings (start new, point the ingress at
   * it, stop the old one), e.g. after a rebuild in `pnpm dev`. With fixed ports the old one must stop first.
   */
  restartApp(app: AppName, index?: number): Promise<AppProcess>;
  /** Stops the ingress, then the services in reverse start order (SIGTERM, graceful) and a database devkit started. */
  stop(): Promise<void>;
}

/** Every service after the services it calls (the token issuer before its verifiers), else in catalogue order. */
export function startOrder(services: readonly ServiceEntry[]): ServiceEntry[] {
  const names = new Set(services.map((s) => s.name));
  const ordered: ServiceEntry[] = [];
  const placed = new Set<string>();
  while (ordered.length < services.length) {
    const next = services.find(
      (s) => !placed.has(s.name) && s.calls.every((c) => placed.has(c) || !names.has(c)),
    );
    if (!next) throw new Error("the services' calls form a cycle: no start order");
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

export interface ServiceEnvContext {
  mongoUri: string;
  /** JWT_SIGNING_KEYS of the token issuer. */
  signingKeys: string;
  /** Base URL of the token issuer's first instance (verifiers fetch its keys there). */
  issuerUrl: string | undefined;
  /** The catalogue's ports, for the first instance of `pnpm dev`; else PORT and METRICS_PORT stay free (0). */
  cataloguePorts: boolean;
}

/** What the stack sets for a service, by its catalogue entry and token role (docs/runtime-contract.md). */
export function serviceEnv(entry: ServiceEntry, context: ServiceEnvContext): Env {
  const env: Env = { MONGODB_URI: context.mongoUri, MONGODB_DB: entry.database };
  if (context.cataloguePorts) {
    env.PORT = String(entry.port);
    env.METRICS_PORT = String(entry.metricsPort);
  }
  if (entry.tokens === "issuer") {
    env.JWT_SIGNING_KEYS = context.signingKeys;
    // Every harness registers its accounts from one loopback address; the issuer's per-client registration
    // limit (20 per 10 minutes by default) is for the public. Callers may set their own.
    env.REGISTER_MAX_PER_IP = "1000000";
  }
  if (entry.tokens === "verifier") env.JWKS_URL = `${context.issuerUrl ?? ""}${JWKS_PATH}`;
  return env;
}

const instanceCount = (instances: StartStackOptions["instances"], service: string): number =>
  typeof instances === "object" ? (instances[service] ?? 1) : (instances ?? 1);

/**
 * Starts the whole local platform: the one way `pnpm dev`, the end-to-end and reliability tests and the benchmarks
 * run it. On a failure part-way, stops what already runs and rethrows.
 */
export async function startStack(options: StartStackOptions = {}): Promise<Stack> {
  const order = startOrder(options.services ?? SERVICES);
  const issuer = order.find((s) => s.tokens === "issuer");
  const signingKey = options.signingKey ?? newSigningKey();
  const signingKeys =
    (issuer && options.serviceEnv?.[issuer.name]?.JWT_SIGNING_KEYS) ?? signingKeysEnv([signingKey]);
  const services: Record<string, AppProcess[]> = Object.fromEntries(order.map((s) => [s.name, []]));
  const entry = (app: AppName) => {
    const found = order.find((s) => s.name === app);
    if (!found)
      throw new Error(`the stack does not run ${app}; it runs ${order.map((s) => s.name).join(", ")}`);
    return found;
  };
  let ingress: Ingress | undefined;
  let mongo: LocalMongo | undefined;

  const upstreams = () =>
    Object.fromEntries(order.map((s) => [s.name, (services[s.name] ?? []).map((p) => p.url)]));
  const stop = async () => {
    await ingress?.stop();
    for (const s of [...order].reverse())
      await Promise.all((services[s.name] ?? []).map((p) => p.stop().catch(() => undefined)));
    if (mongo && mongo.kind !== "external") await mongo.stop();
  };

  const start = (app: AppName, index: number) =>
    startAppProcess({
      app,
      env: {
        ...(options.nodeEnv ? { NODE_ENV: options.nodeEnv } : {}),
        ...options.env,
        ...serviceEnv(entry(app), {
          mongoUri: mongo?.uri ?? "",
          signingKeys,
          issuerUrl: issuer && services[issuer.name]?.[0]?.url,
          cataloguePorts: options.cataloguePorts === true && index === 0,
        }),
        ...options.serviceEnv?.[app],
      },
      onLine: (line) => options.onLine?.(`${app}#${index + 1}`, line),
    });

  try {
    const mongoOptions = options.ownDatabase
      ? { ...options.mongo, env: { ...(options.mongo?.env ?? process.env), MONGODB_URI: undefined } }
      : options.mongo;
    mongo = await startLocalMongo(mongoOptions);
    for (const s of order)
      for (let i = 0; i < instanceCount(options.instances, s.name); i++)
        services[s.name]?.push(await start(s.name, i));
    if (options.ingress) {
      ingress = await startIngress({
        ...options.ingress,
        upstreams: upstreams(),
        onLine: (line) => options.onLine?.("nginx", line),
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startInstance = (app: AppName) => start(app, services[entry(app).name]?.length ?? 0);
  const restartApp = async (app: AppName, index = 0) => {
    const list = services[entry(app).name] ?? [];
    const old = list[index];
    if (!old) throw new Error(`${app} has no instance ${index}`);
    const fixedPort = index === 0 && options.cataloguePorts === true;
    if (fixedPort) await old.stop();
    const fresh = await start(app, index);
    list[index] = fresh;
    await ingress?.setUpstreams(upstreams());
    if (!fixedPort) await old.stop();
    return fresh;
  };
  return {
    mongo,
    services,
    appA: services["app-a"] ?? [],
    appB: services["app-b"] ?? [],
    ingress,
    signingKey,
    signingKeys,
    startInstance,
    restartApp,
    stop,
  };
}
