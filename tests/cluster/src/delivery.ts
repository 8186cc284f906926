/**
 * The delivery path on the local cluster, driven the way the workflows drive it: `.github/scripts/deploy.sh`,
 * `rollback.sh` and `smoke-test.sh` with the local stack's environment (`pnpm cluster env`), while a load runs in
 * this process. Scripts run asynchronously: a synchronous child would block the event loop and with it the load.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Op, Result, RunningLoad } from "load-tools";
import { cluster, clusterEnv, clusterEnvLines, repoRoot } from "./cluster.js";
import type { Run } from "./cluster.js";

/** The stack the delivery scripts address: the local one of infra/platform (`pnpm cluster pulumi`). */
export const STACK = "local";

/**
 * The mixed load of the delivery tests: mostly reads, every write kind but registration included (create, update
 * with the current ETag, a stale update that must be refused, delete, token refresh, login). Reads dominate as they
 * do for a jobs board, and so the rate stays high enough on this machine's two cores for 20,000 requests in a few
 * minutes. No registrations in the mix: app-b as deployed admits 20 per client address per 10 minutes
 * (REGISTER_MAX_PER_IP), and all of the load comes from one address; the load's set-up registers its few users.
 */
export const DELIVERY_MIX: Partial<Record<Op, number>> = {
  get: 45,
  me: 35,
  create: 6,
  update: 6,
  "update-stale": 1,
  delete: 4,
  refresh: 2,
  list: 1,
  login: 1,
};

/** The environment the workflow's deploy job gives the scripts, with the local cluster in place of GKE. */
export function deliveryEnv(): NodeJS.ProcessEnv {
  const env = clusterEnvLines();
  return { ...env, STACK, GATEWAY_CA_FILE: clusterEnv().CA_FILE };
}

/** Runs a command without blocking the event loop; resolves with its output when it exits (or is killed). */
export function runAsync(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs ?? 900_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        status: code ?? -1,
        stdout,
        stderr,
        output: `${stdout}\n${stderr}${signal ? `\nkilled by ${signal}` : ""}`,
      });
    });
  });
}

/** `.github/scripts/<name>` with the delivery environment. */
export function deliveryScript(name: string, args: readonly string[], timeoutMs = 900_000): Promise<Run> {
  return runAsync("bash", [join(repoRoot, ".github/scripts", name), ...args], {
    env: deliveryEnv(),
    timeoutMs,
  });
}

/** A directory as the release workflow hands it to deploy.sh: one file per app holding its image reference. */
export function imagesDir(images: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "deploy-images-"));
  for (const [app, ref] of Object.entries(images)) writeFileSync(join(dir, app), `${ref}\n`);
  return dir;
}

/** Builds an app image into the node (`pnpm cluster image`) and returns its reference. */
export function buildImage(app: string, version: string, neverReady = false): string {
  const built = cluster(["image", app, version, ...(neverReady ? ["--never-ready"] : [])], 900_000);
  if (built.status !== 0) throw new Error(`cluster image ${app} ${version} failed:\n${built.output}`);
  const ref = built.stdout.trim().split("\n").at(-1) ?? "";
  if (!ref.startsWith(`localhost/gke-platform/${app}:${version}-`))
    throw new Error(`cluster image printed ${built.stdout}`);
  return ref;
}

export interface PodState {
  readonly name: string;
  readonly image: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly restarts: number;
  readonly containerId: string;
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { containers: { image: string }[] };
    status: {
      conditions?: { type: string; status: string }[];
      containerStatuses?: { restartCount: number; containerID?: string }[];
    };
  }[];
}

/** kubectl without blocking the event loop (a load runs in this process); throws unless it succeeds. */
export async function kubectlAsync(args: readonly string[]): Promise<string> {
  const r = await runAsync("kubectl", args, {
    env: { KUBECONFIG: clusterEnv().KUBECONFIG },
    timeoutMs: 120_000,
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed:\n${r.output}`);
  return r.stdout;
}

/** The pods of one app (label app=<app>), terminating ones included. */
export async function podsOf(namespace: string, app: string): Promise<PodState[]> {
  const list = JSON.parse(
    await kubectlAsync(["get", "pods", "-n", namespace, "-l", `app=${app}`, "-o", "json"]),
  ) as PodList;
  return list.items.map((p) => ({
    name: p.metadata.name,
    image: p.spec.containers[0]?.image ?? "",
    ready: p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    terminating: p.metadata.deletionTimestamp !== undefined,
    restarts: p.status.containerStatuses?.[0]?.restartCount ?? 0,
    containerId: (p.status.containerStatuses?.[0]?.containerID ?? "").replace(/^containerd:\/\//, ""),
  }));
}

/** Polls `check` every second until it returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await sleep(1000);
  }
}

/** Waits until the load has sent `total` requests (its own bound must allow that many). */
export async function waitForRequests(load: RunningLoad, total: number, timeoutMs: number): Promise<void> {
  const run = { ended: false };
  void load.done.then(() => (run.ended = true));
  const deadline = Date.now() + timeoutMs;
  while (load.snapshot().total < total) {
    if (run.ended)
      throw new Error(`the load ended at ${String(load.snapshot().total)} requests, before ${total}`);
    if (Date.now() > deadline)
      throw new Error(
        `the load sent ${String(load.snapshot().total)} of ${total} requests in ${timeoutMs} ms`,
      );
    await sleep(500);
  }
}

/** The `X-App-Version` values (`app@version`) a load saw, with their counts. */
export function versionsOf(seen: Record<string, number>, app: string): Record<string, number> {
  return Object.fromEntries(Object.entries(seen).filter(([key]) => key.startsWith(`${app}@`)));
}

/** Counts of the shared load between two moments: what one step (a deploy, a rollback) cost. */
export interface Step {
  readonly name: string;
  readonly requests: number;
  readonly failed: number;
  readonly seconds: number;
  readonly versions: Record<string, number>;
  /** How long each script of the step took (s). */
  scripts?: Record<string, number>;
}
export function stepBetween(name: string, before: Result, after: Result): Step {
  const versions: Record<string, number> = {};
  for (const [key, n] of Object.entries(after.versionsSeen)) {
    const diff = n - (before.versionsSeen[key] ?? 0);
    if (diff > 0) versions[key] = diff;
  }
  return {
    name,
    requests: after.total - before.total,
    failed: after.failed - before.failed,
    seconds: Math.round((after.elapsedMs - before.elapsedMs) / 100) / 10,
    versions,
  };
}
