import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { mongoHello } from "./mongo-wire.js";
import { exitedError, spawnManaged, which } from "./process.js";
import type { ManagedProcess } from "./process.js";
import { makeTempDir } from "./temp.js";
import { freePort, waitFor } from "./wait.js";

/** Where the database came from: the caller's MONGODB_URI, a local `mongod`, or FerretDB (SQLite backend). */
export type MongoKind = "external" | "mongod" | "ferretdb";

export interface StartLocalMongoOptions {
  /** Keep data here (created if missing, never deleted). Default: a temporary directory removed at exit. */
  dataDir?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Environment to read MONGODB_URI / FERRETDB_BIN / PLATFORM_TOOLS_DIR from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the server to answer `hello` (default 30 s). */
  startTimeoutMs?: number;
}

/** A MongoDB wire-protocol server for development and tests. */
export interface LocalMongo {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:41234/`. */
  readonly uri: string;
  readonly kind: MongoKind;
  /** Stops the server but keeps its data, so `restart()` brings back the same databases (outage tests). */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data directory (stops it first if it is running). */
  restart(): Promise<void>;
  /** Server output lines (empty for "external"). */
  logs(): string[];
}

/** The FerretDB binary bootstrap builds, or `undefined`. */
export function findFerretDb(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FERRETDB_BIN) return env.FERRETDB_BIN;
  const toolsDir =
    env.PLATFORM_TOOLS_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gke-platform");
  return which("ferretdb", [join(toolsDir, "bin")], env);
}

/**
 * Returns a MongoDB-compatible server: MONGODB_URI when set, else a fresh `mongod` when one is on PATH, else FerretDB
 * v1 with its SQLite backend. Local servers listen on 127.0.0.1 only.
 */
export async function startLocalMongo(options: StartLocalMongoOptions = {}): Promise<LocalMongo> {
  const env = options.env ?? process.env;
  if (env.MONGODB_URI) {
    const uri = env.MONGODB_URI;
    const refuse = () =>
      Promise.reject(new Error("MONGODB_URI points at an external server; devkit cannot stop it"));
    return { uri, kind: "external", stop: refuse, restart: refuse, logs: () => [] };
  }

  const mongod = which("mongod", [], env);
  const ferretdb = mongod ? undefined : findFerretDb(env);
  if (!mongod && !ferretdb) {
    throw new Error(
      "No MongoDB-compatible server found. Set MONGODB_URI, put `mongod` on PATH, or build FerretDB with " +
        "`scripts/bootstrap.sh` (or set FERRETDB_BIN to a ferretdb v1 binary).",
    );
  }
  const kind: MongoKind = mongod ? "mongod" : "ferretdb";
  const dataDir = options.dataDir ?? makeTempDir(kind);
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;

  const args = mongod
    ? ["--port", String(port), "--bind_ip", "127.0.0.1", "--dbpath", dataDir, "--quiet"]
    : [
        "--handler=sqlite",
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dataDir}`,
        // Its metrics/pprof listener defaults to a fixed port; a free one lets several instances coexist.
        "--debug-addr=127.0.0.1:0",
        "--telemetry=disable",
        "--log-level=warn",
      ];
  const binary = mongod ?? ferretdb ?? "";

  let server: ManagedProcess | undefined;
  const start = async () => {
    const started = spawnManaged(binary, args, { env, deathSignal: "SIGKILL" });
    server = started;
    await waitFor(() => mongoHello(port), {
      timeoutMs: startTimeoutMs,
      description: `${kind} on 127.0.0.1:${port} to answer hello`,
      abort: () => exitedError(kind, started),
    });
  };
  const stop = async () => {
    await server?.stop("SIGTERM", 10_000);
  };

  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    kind,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    logs: () => server?.logs() ?? [],
  };
}
