import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createSelfSignedCertificate } from "./cert.js";
import { startHealthChecks } from "./health-check.js";
import type { HealthCheckOptions } from "./health-check.js";
import { renderNginxConfig, upstreamAddress } from "./nginx-config.js";
import type { NginxConfigValues } from "./nginx-config.js";
import { exitedError, spawnManaged, which } from "./process.js";
import type { ManagedProcess } from "./process.js";
import { makeTempDir, removeTempDir } from "./temp.js";
import { freePort, waitFor } from "./wait.js";

const run = promisify(execFile);

export interface StartIngressOptions {
  /**
   * Instances per catalogue service (`host:port` or `http://host:port`), e.g. `{ "app-a": [...], "app-b": [...] }`;
   * a routed service left out answers 502.
   */
  upstreams: Readonly<Record<string, readonly string[]>>;
  /** Default: a free port. */
  httpsPort?: number;
  /** Default: a free port. */
  httpPort?: number;
  /**
   * Probe each instance's /readyz and mark failing ones `down` (what the Gateway's health checks do). Default on,
   * every 500 ms; `false` leaves only nginx's passive checks (max_fails).
   */
  healthCheck?: HealthCheckOptions | false;
  workerProcesses?: number | "auto";
  /** Access log in the temp dir (default true; benchmarks turn it off). */
  accessLog?: boolean;
  clientMaxBodySize?: string;
  /** Called with nginx's stderr lines. */
  onLine?: (line: string) => void;
}

/** nginx terminating TLS in front of the apps, routed like the GKE Gateway. */
export interface Ingress {
  readonly httpsUrl: string;
  readonly httpUrl: string;
  /** The self-signed certificate; trust it as the CA (`curl --cacert`, undici `connect: { ca }`). */
  readonly caFile: string;
  readonly pid: number;
  /** Temp directory with nginx.conf, access.log and the certificate. */
  readonly prefix: string;
  /** Loopback-only admin URL: `/generation` and `/stub_status`. */
  readonly statusUrl: string;
  /**
   * Replaces the upstream groups (every service's: one left out has no instances) and reloads nginx; resolves once the new config serves and old workers are gone.
   * Listed instances start healthy (pass instances that are ready); the health checks then judge them again.
   */
  setUpstreams(upstreams: Readonly<Record<string, readonly string[]>>): Promise<void>;
  /** Instances marked down by the health checks in the config nginx serves now. */
  downInstances(): string[];
  stop(): Promise<void>;
  logs(): string[];
}

const addresses = (upstreams: Readonly<Record<string, readonly string[]>>): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(upstreams).map(([service, list]) => [service, list.map(upstreamAddress)]),
  );

/** Child pids of the nginx master (Linux /proc; elsewhere none, so reloads do not wait for old workers). */
function workerPids(masterPid: number): number[] {
  try {
    const children = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, "utf8");
    return children.split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The nginx binary: NGINX_BIN, `nginx` on PATH, or /usr/sbin/nginx (Debian puts it outside a user's PATH). */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NGINX_BIN) return env.NGINX_BIN;
  return which("nginx", ["/usr/sbin", "/usr/local/sbin"], env);
}

/** Starts nginx as a child (no daemon) with a generated config and certificate in a fresh temp directory. */
export async function startIngress(options: StartIngressOptions): Promise<Ingress> {
  const nginx = findNginx();
  if (!nginx) {
    throw new Error("nginx not found: install it (apt-get install nginx-light) or set NGINX_BIN");
  }
  const prefix = makeTempDir("ingress");
  // As root, nginx workers run as `nobody` and must be able to enter the prefix; the key stays 0600 (master reads it).
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, "tmp"));
  try {
    const cert = await createSelfSignedCertificate(prefix);
    const chosenPorts = options.httpsPort === undefined || options.httpPort === undefined;
    // A free port can be taken between asking and binding; retry with new ones when we chose them.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(nginx, prefix, cert, options);
      } catch (error) {
        const busy = error instanceof Error && error.message.includes("Address already in use");
        if (!busy || !chosenPorts || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    removeTempDir(prefix);
    throw error;
  }
}

async function launch(
  nginx: string,
  prefix: string,
  cert: { certFile: string; keyFile: string },
  options: StartIngressOptions,
): Promise<Ingress> {
  const confFile = join(prefix, "nginx.conf");
  const values: NginxConfigValues = {
    prefix,
    httpsPort: options.httpsPort ?? (await freePort()),
    httpPort: options.httpPort ?? (await freePort()),
    statusPort: await freePort(),
    ...cert,
    upstreams: addresses(options.upstreams),
    down: new Set(),
    generation: 1,
    workerProcesses: options.workerProcesses ?? 1,
    accessLog: options.accessLog ?? true,
    clientMaxBodySize: options.clientMaxBodySize ?? "1m",
  };
  const statusUrl = `http://127.0.0.1:${values.statusPort}`;
  const nginxArgs = ["-p", prefix, "-c", confFile, "-e", "stderr"];

  const writeAndTest = async () => {
    writeFileSync(confFile, renderNginxConfig(values));
    try {
      await run(nginx, ["-t", "-q", ...nginxArgs]);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`nginx rejected the generated config ${confFile}:\n${stderr}`, { cause: error });
    }
  };
  const servesGeneration = (master: ManagedProcess) =>
    waitFor(
      async () => {
        const response = await fetch(`${statusUrl}/generation`, { headers: { connection: "close" } });
        return (await response.text()) === String(values.generation);
      },
      {
        timeoutMs: 15_000,
        intervalMs: 50,
        description: `nginx config generation ${values.generation}`,
        abort: () => exitedError("nginx", master),
      },
    );

  await writeAndTest();
  // SIGTERM on harness death: the master then stops its workers (SIGKILL would orphan them).
  const master = spawnManaged(nginx, nginxArgs, {
    deathSignal: "SIGTERM",
    onLine: (line) => options.onLine?.(line),
  });
  try {
    await servesGeneration(master);
  } catch (error) {
    master.kill();
    throw error;
  }

  let servingDown: string[] = [];
  // Reloads are serialised: the health checker and setUpstreams may both ask for one.
  let queue: Promise<void> = Promise.resolve();
  const reload = (change: () => void): Promise<void> => {
    const next = queue.then(async () => {
      change();
      values.generation += 1;
      await writeAndTest();
      const oldWorkers = workerPids(master.pid);
      process.kill(master.pid, "SIGHUP"); // what `nginx -s reload` sends
      await servesGeneration(master);
      // Old workers keep serving clients' idle keep-alive connections with the old upstreams until they exit;
      // callers (rolling restarts) rely on "resolved" meaning no request goes to a removed instance any more.
      await waitFor(() => workerPids(master.pid).every((pid) => !oldWorkers.includes(pid)), {
        timeoutMs: 30_000,
        intervalMs: 25,
        description: "old nginx workers to exit after reload",
      });
      servingDown = [...(values.down ?? [])];
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const checks =
    options.healthCheck === false
      ? undefined
      : startHealthChecks(() => Object.values(values.upstreams).flat(), {
          ...options.healthCheck,
          onChange: (down) =>
            reload(() => {
              values.down = down;
            }),
        });

  let stopped = false;
  return {
    httpsUrl: `https://localhost:${values.httpsPort}`,
    httpUrl: `http://localhost:${values.httpPort}`,
    caFile: cert.certFile,
    pid: master.pid,
    prefix,
    statusUrl,
    setUpstreams: (upstreams) =>
      reload(() => {
        values.upstreams = addresses(upstreams);
        // The caller vouches for these instances (startAppProcess waited for /readyz); the checks re-judge them.
        checks?.reset();
        values.down = new Set();
      }),
    downInstances: () => [...servingDown],
    async stop() {
      if (stopped) return;
      stopped = true;
      checks?.stop();
      await queue;
      await master.stop("SIGQUIT", 10_000); // graceful: in-flight requests finish
      removeTempDir(prefix);
    },
    logs: () => master.logs(),
  };
}
