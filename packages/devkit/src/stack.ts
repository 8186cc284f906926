import { generateKeyPairSync, randomUUID } from "node:crypto";
import { startIngress, type Ingress, type StartIngressOptions } from "./ingress.js";
import { startLocalMongo, type LocalMongo, type StartLocalMongoOptions } from "./mongo.js";
import { startAppProcess, type AppName, type AppProcess } from "./app-process.js";

type Env = Record<string, string | undefined>;

export interface StartStackOptions {
  /** Instances per app (default 1). More than one needs free ports, so fixed `ports` apply to the first only. */
  instances?: number;
  /** Fixed ports for the first instance of each app (`pnpm dev`); default free ports. */
  ports?: { appA?: number; appB?: number; appAMetrics?: number; appBMetrics?: number };
  /** nginx ingress in front of all instances; `false` for none (default none). */
  ingress?: Omit<StartIngressOptions, "appA" | "appB" | "onLine"> | false;
  mongo?: StartLocalMongoOptions;
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
  /** The Ed25519 signing key every app-b instance shares (JWT_SIGNING_KEYS value). */
  readonly signingKeys: string;
  /**
   * Replaces instance `index` of `app` with a fresh process on the same settings (start new, point the ingress at
   * it, stop the old one), e.g. after a rebuild in `pnpm dev`. With fixed ports the old one must stop first.
   */
  restartApp(app: AppName, index?: number): Promise<AppProcess>;
  /** Stops the ingress, then app-a, app-b (SIGTERM, graceful) and a database devkit started. */
  stop(): Promise<void>;
}

/** A JWT_SIGNING_KEYS value with one fresh Ed25519 key: all app-b instances must sign with the same key. */
export function newSigningKeys(kid = `dev-${randomUUID().slice(0, 8)}`): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return JSON.stringify([{ kid, privateKeyPem }]);
}

/** Starts the whole local platform; on a failure part-way, stops what already runs and rethrows. */
export async function startStack(options: StartStackOptions = {}): Promise<Stack> {
  const instances = options.instances ?? 1;
  const signingKeys = options.appBEnv?.JWT_SIGNING_KEYS ?? newSigningKeys();
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

  const appEnv = new Map<AppName, Env>();
  const start = (app: AppName, index: number, env: Env) => {
    appEnv.set(app, env);
    const first = index === 0;
    const port = app === "app-a" ? options.ports?.appA : options.ports?.appB;
    const metrics = app === "app-a" ? options.ports?.appAMetrics : options.ports?.appBMetrics;
    return startAppProcess({
      app,
      env: {
        ...options.env,
        ...env,
        ...(first && port !== undefined ? { PORT: String(port) } : {}),
        ...(first && metrics !== undefined ? { METRICS_PORT: String(metrics) } : {}),
      },
      onLine: (line) => options.onLine?.(`${app}#${index + 1}`, line),
    });
  };

  try {
    mongo = await startLocalMongo(options.mongo);
    const uri = mongo.uri;
    for (let i = 0; i < instances; i++) {
      appB.push(
        await start("app-b", i, { MONGODB_URI: uri, JWT_SIGNING_KEYS: signingKeys, ...options.appBEnv }),
      );
    }
    const jwksUrl = `${appB[0]?.url ?? ""}/.well-known/jwks.json`;
    for (let i = 0; i < instances; i++) {
      appA.push(await start("app-a", i, { MONGODB_URI: uri, JWKS_URL: jwksUrl, ...options.appAEnv }));
    }
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
  const restartApp = async (app: AppName, index = 0) => {
    const list = app === "app-a" ? appA : appB;
    const old = list[index];
    if (!old) throw new Error(`${app} has no instance ${index}`);
    const fixedPort =
      index === 0 && (app === "app-a" ? options.ports?.appA : options.ports?.appB) !== undefined;
    if (fixedPort) await old.stop();
    const fresh = await start(app, index, appEnv.get(app) ?? {});
    list[index] = fresh;
    await ingress?.setUpstreams(
      appA.map((s) => s.url),
      appB.map((s) => s.url),
    );
    if (!fixedPort) await old.stop();
    return fresh;
  };
  return { mongo, appA, appB, ingress, signingKeys, restartApp, stop };
}
