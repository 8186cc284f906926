/**
 * The local cluster as the tests drive it: the same `scripts/cluster/cluster.sh` that `pnpm cluster` runs, the
 * kubectl it installs, and the Pulumi CLI on the local stack (`cluster.sh pulumi ...`).
 */
import { spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = `${repoRoot}scripts/cluster/cluster.sh`;

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, for failure messages. */
  readonly output: string;
}

function result(r: SpawnSyncReturns<string>): Run {
  return {
    status: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    output: `${r.stdout}\n${r.stderr}${r.error ? `\n${r.error.message}` : ""}`,
  };
}

/** Runs a command to completion (bounded by timeoutMs), capturing its output. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Run {
  return result(
    spawnSync(command, args, {
      cwd: options.cwd ?? repoRoot,
      encoding: "utf8",
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      killSignal: "SIGTERM",
    }),
  );
}

/** `pnpm cluster <args>`. */
export function cluster(args: readonly string[], timeoutMs = 1_500_000): Run {
  return run("bash", [script, ...args], { timeoutMs });
}

export interface ClusterEnv {
  KUBECONFIG: string;
  GATEWAY_URL: string;
  GATEWAY_HTTP_URL: string;
  CA_FILE: string;
}

let envLines: Record<string, string> | undefined;

/**
 * Every assignment `pnpm cluster env` prints (the cluster's and the local Pulumi stack's variables). They are
 * fixed for a cluster's state directory, so they are read once per process.
 */
export function clusterEnvLines(): Record<string, string> {
  if (envLines) return envLines;
  const out = cluster(["env"], 30_000);
  if (out.status !== 0) throw new Error(`cluster env failed:\n${out.output}`);
  envLines = Object.fromEntries(
    out.stdout
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return envLines;
}

/** What `pnpm cluster env` prints: KUBECONFIG, GATEWAY_URL (https), GATEWAY_HTTP_URL and CA_FILE. */
export function clusterEnv(): ClusterEnv {
  const env = clusterEnvLines();
  const { KUBECONFIG, GATEWAY_URL, GATEWAY_HTTP_URL, CA_FILE } = env;
  if (!KUBECONFIG || !GATEWAY_URL || !GATEWAY_HTTP_URL || !CA_FILE)
    throw new Error(`cluster env printed:\n${JSON.stringify(env)}`);
  return { KUBECONFIG, GATEWAY_URL, GATEWAY_HTTP_URL, CA_FILE };
}

/** kubectl against the local cluster; throws with its output unless it succeeds. */
export function kubectl(
  args: readonly string[],
  options: { allowFailure?: boolean; input?: string } = {},
): Run {
  const { KUBECONFIG } = clusterEnv();
  const r = result(
    spawnSync("kubectl", args, {
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG },
      input: options.input,
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  if (r.status !== 0 && !options.allowFailure)
    throw new Error(`kubectl ${args.join(" ")} failed:\n${r.output}`);
  return r;
}

/** kubectl ... -o json, parsed (the caller states the shape it reads). */
export function kubectlJson(args: readonly string[]): unknown {
  return JSON.parse(kubectl([...args, "-o", "json"]).stdout);
}

/** The Pulumi CLI on the local stack of the platform layer (file backend in the cluster's state). */
export function pulumi(args: readonly string[], timeoutMs = 900_000): Run {
  return cluster(["pulumi", ...args], timeoutMs);
}
