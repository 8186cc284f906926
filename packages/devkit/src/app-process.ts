import { existsSync } from "node:fs";
import { join } from "node:path";
import { serviceEntry } from "@platform/contract";
import { parseListeningLine } from "./listening-line.js";
import { repoRoot } from "./repo.js";
import { exitedError, spawnManaged } from "./process.js";
import { waitFor, waitForHttp } from "./wait.js";

/** A service of the catalogue (packages/contract/src/services.json). */
export type AppName = string;

export interface StartAppProcessOptions {
  app: AppName;
  /** Added to this process's environment. PORT and METRICS_PORT default to "0", HOST to "127.0.0.1". */
  env?: Record<string, string | undefined>;
  /** Working directory (default the app's package directory). */
  cwd?: string;
  /** Called with each output line (e.g. to print it in `pnpm dev`). */
  onLine?: (line: string) => void;
  /** Script to run instead of apps/<app>/dist/main.js (devkit's own tests use a stand-in). */
  entry?: string;
  /** How long to wait for the "listening" log line and /readyz 200 (default 30 s). */
  readyTimeoutMs?: number;
}

/** A service running as a real `node dist/main.js` process. */
export interface AppProcess {
  readonly app: AppName;
  /** Base URL of the API port, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly metricsUrl: string;
  readonly metricsPort: number;
  readonly pid: number;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** SIGKILL, no shutdown: a crash. */
  kill(): void;
  /** Resolves with the exit code whenever the process exits. */
  readonly exited: Promise<number>;
  /** stdout and stderr lines so far (JSON log lines from the app). */
  logs(): string[];
}

/**
 * Starts `node dist/main.js` of a catalogue service (built beforehand by turbo), learns its ports from the "listening" log line
 * and resolves once GET /readyz answers 200.
 */
export async function startAppProcess(options: StartAppProcessOptions): Promise<AppProcess> {
  const appDir = join(repoRoot(), serviceEntry(options.app).package);
  const entry = options.entry ?? join(appDir, "dist", "main.js");
  if (!existsSync(entry)) {
    throw new Error(`${entry} does not exist: build it first (pnpm turbo run build --filter=${options.app})`);
  }
  const level = options.env?.LOG_LEVEL ?? process.env.LOG_LEVEL;
  if (level && !["trace", "debug", "info"].includes(level)) {
    // The ports come from the "listening" line, which apps log at info: a quieter level would hide it.
    throw new Error(`startAppProcess needs LOG_LEVEL info, debug or trace (got "${level}")`);
  }
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let ports: { port: number; metricsPort: number } | undefined;
  const child = spawnManaged(process.execPath, [entry], {
    cwd: options.cwd ?? appDir,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", METRICS_PORT: "0", ...options.env },
    // If the harness dies, the service must not linger holding ports and database connections.
    deathSignal: "SIGKILL",
    onLine: (line) => {
      const listening = parseListeningLine(line);
      if (listening?.metricsPort !== undefined)
        ports ??= { port: listening.port, metricsPort: listening.metricsPort };
      options.onLine?.(line);
    },
  });
  const abort = () => exitedError(options.app, child);
  try {
    const found = await waitFor(() => ports, {
      timeoutMs,
      intervalMs: 20,
      description: `${options.app} to log "listening"`,
      abort,
    });
    const url = `http://127.0.0.1:${found.port}`;
    await waitForHttp(`${url}/readyz`, { timeoutMs, description: `${options.app} /readyz 200`, abort });
    return {
      app: options.app,
      url,
      port: found.port,
      metricsUrl: `http://127.0.0.1:${found.metricsPort}`,
      metricsPort: found.metricsPort,
      pid: child.pid,
      stop: (signal = "SIGTERM") => child.stop(signal, 60_000),
      kill: () => {
        child.kill();
      },
      exited: child.exited.then(() => child.stop()),
      logs: () => child.logs(),
    };
  } catch (error) {
    child.kill();
    if (error instanceof Error && !child.exitInfo()) {
      // A timeout alone says nothing; the service's own last words usually say why (e.g. readiness failing).
      const tail = child.logs().slice(-10).join("\n");
      throw new Error(`${error.message}\nlast output of ${options.app}:\n${tail}`, { cause: error });
    }
    throw error;
  }
}
