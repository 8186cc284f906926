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
  /** Instances per app, or per app separately (default 1 each). Fixed `ports` apply to the first only. */
  instances?: number | { appA?: number; appB?: number };
  /** Fixed ports for the first instance of each app (`pnpm dev`); default free ports. */
  ports?: { appA?: number; appB?: number; appAMetrics?: number; appBMetrics?: number };
  /** nginx ingress in front of all instances; `false` for none (default none). */
  ingress?: Omit<StartIngressOptions, "appA" | "appB" | "onLine"> | false;
  mongo?: StartLocalMongoOptions;
  /**
   * A database of the stack's own that it may stop and restart (outage tests): MONGODB_URI is ignored. Default
   * false: MONGODB_URI when set, else a database devkit starts.
   */
  ownDatabase?: boolean;
  /** NODE_ENV of both apps (default: whatever `env` or the caller's environment says). */
  nodeEnv?: "development" | "test" | "production";
  /** The key every app-b instance signs with (default a fresh one); tests that mint tokens pass their own. */
  signingKey?: SigningKey;
  /** Added to both apps' environment. */
  env?: Env;
  appAEnv?: Env;
  appBEnv?: Env;
  /** Every output line, tagged with its source ("mongo", "app-a#1", "nginx", ...). */
  onLine?: (source: string, line: string) => void;
}

/** Database, app-b, app-a and optionally the ingress, started in dependency order. */
export interface Stack {
  readonly mongo: LocalMongo;
  readonly appA: AppProcess[];
  readonly appB: AppProcess[];
  readonly ingress: Ingress | undefined;
  /** The Ed25519 key every app-b instance shares, and its JWT_SIGNING_KEYS value. */
  readonly signingKey: SigningKey;
  readonly signingKeys: string;
  /**
   * Starts one more instance of `app` with the stack's settings (app-a's JWKS_URL = the current first app-b) and
   * resolves once it is ready. It is neither added to `appA`/`appB` nor to the ingress: the caller decides.
   */
  startInstance(app: AppName): Promise<AppProcess>;
  /**
   * Replaces instance `index` of `app` with a fresh process on the same settings (start new, point the ingress at
   * it, stop the old one), e.g. after a rebuild in `pnpm dev`. With fixed ports the old one must stop first.
   */
  restartApp(app: AppName, index?: number): Promise<AppProcess>;
  /** Stops the ingress, then app-a, app-b (SIGTERM, graceful) and a database devkit started. */
  stop(): Promise<void>;
}

function instanceCounts(instances: StartStackOptions["instances"]): { appA: number; appB: number } {
  if (typeof instances === "object") return { appA: instances.appA ?? 1, appB: instances.appB ?? 1 };
  return { appA: instances ?? 1, appB: instances ?? 1 };
}

/**
 * Starts the whole local platform: the one way `pnpm dev`, the end-to-end and reliability tests and the benchmarks
 * run it. On a failure part-way, stops what already runs and rethrows.
 */
export async function startStack(options: StartStackOptions = {}): Promise<Stack> {
  const counts = instanceCounts(options.instances);
  const signingKey = options.signingKey ?? newSigningKey();
  const signingKeys = options.appBEnv?.JWT_SIGNING_KEYS ?? signingKeysEnv([signingKey]);
  const appA: AppProcess[] = [];
  const appB: AppProcess[] = [];
  let ingress: Ingress | undefined;
  let mongo: LocalMongo | undefined;

  const stop = async () => {
    await ingress?.stop();
    await Promise.all(appA.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(appB.map((s) => s.stop().catch(() => undefined)));
    if (mongo && mongo.kind !== "external") await mongo.stop();
  };

  const appEnv = (app: AppName, uri: string): Env =>
    app === "app-b"
      ? {
          MONGODB_URI: uri,
          JWT_SIGNING_KEYS: signingKeys,
          // Every harness registers its accounts from one loopback address; app-b's per-client registration
          // limit (20 per 10 minutes by default) is for the public. Callers may set their own.
          REGISTER_MAX_PER_IP: "1000000",
          ...options.appBEnv,
        }
      : { MONGODB_URI: uri, JWKS_URL: `${appB[0]?.url ?? ""}/.well-known/jwks.json`, ...options.appAEnv };
  const start = (app: AppName, index: number) => {
    const first = index === 0;
    const port = app === "app-a" ? options.ports?.appA : options.ports?.appB;
    const metrics = app === "app-a" ? options.ports?.appAMetrics : options.ports?.appBMetrics;
    return startAppProcess({
      app,
      env: {
        ...(options.nodeEnv ? { NODE_ENV: options.nodeEnv } : {}),
        ...options.env,
        ...appEnv(app, mongo?.uri ?? ""),
        ...(first && port !== undefined ? { PORT: String(port) } : {}),
        ...(first && metrics !== undefined ? { METRICS_PORT: String(metrics) } : {}),
      },
      onLine: (line) => options.onLine?.(`${app}#${index + 1}`, line),
    });
  };

  try {
    const mongoOptions = options.ownDatabase
      ? { ...options.mongo, env: { ...(options.mongo?.env ?? process.env), MONGODB_URI: undefined } }
      : options.mongo;
    mongo = await startLocalMongo(mongoOptions);
    for (let i = 0; i < counts.appB; i++) appB.push(await start("app-b", i));
    for (let i = 0; i < counts.appA; i++) appA.push(await start("app-a", i));
    if (options.ingress) {
      ingress = await startIngress({
        ...options.ingress,
        appA: appA.map((s) => s.url),
        appB: appB.map((s) => s.url),
        onLine: (line) => options.onLine?.("nginx", line),
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startInstance = (app: AppName) => start(app, (app === "app-a" ? appA : appB).length);
  const restartApp = async (app: AppName, index = 0) => {
    const list = app === "app-a" ? appA : appB;
    const old = list[index];
    if (!old) throw new Error(`${app} has no instance ${index}`);
    const fixedPort =
      index === 0 && (app === "app-a" ? options.ports?.appA : options.ports?.appB) !== undefined;
    if (fixedPort) await old.stop();
    const fresh = await start(app, index);
    list[index] = fresh;
    await ingress?.setUpstreams(
      appA.map((s) => s.url),
      appB.map((s) => s.url),
    );
    if (!fixedPort) await old.stop();
    return fresh;
  };
  return { mongo, appA, appB, ingress, signingKey, signingKeys, startInstance, restartApp, stop };
}
