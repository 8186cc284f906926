import { cluster, clusterEnv } from "../src/cluster.js";
import type { ClusterEnv } from "../src/cluster.js";
import { leftovers } from "../src/leftovers.js";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterEnv & { upSeconds: number; stateDir: string };
  }
}

const reuse = process.env.CLUSTER_TESTS_REUSE === "1";
const stateDir = `${process.env.HOME ?? "/root"}/.local/state/gke-platform/cluster`;

/**
 * One cluster for the run, from a clean slate: a state left by an earlier run (another checkout, an interrupted
 * run) is purged first, so what the tests see is what a first `pnpm cluster up` does.
 */
export function setup(project: TestProject): void {
  if (reuse) {
    // CLUSTER_TESTS_REUSE=1: run the files against the cluster that runs now (`pnpm cluster up` first), and
    // leave it running; for working on one file (`pnpm --filter cluster-checks exec vitest run test/3-…`).
    const up = cluster(["up"]);
    if (up.status !== 0) throw new Error(`pnpm cluster up failed:\n${tail(up.output)}`);
    project.provide("cluster", { ...clusterEnv(), upSeconds: 0, stateDir });
    return;
  }
  const purge = cluster(["down", "--purge"], 300_000);
  if (purge.status !== 0) throw new Error(`cluster down --purge failed:\n${purge.output}`);
  const started = Date.now();
  const up = cluster(["up"]);
  if (up.status !== 0)
    throw new Error(`pnpm cluster up failed (exit ${String(up.status)}):\n${tail(up.output)}`);
  project.provide("cluster", { ...clusterEnv(), upSeconds: (Date.now() - started) / 1000, stateDir });
}

export function teardown(): void {
  if (reuse) return;
  const down = cluster(["down", "--purge"], 300_000);
  if (down.status !== 0) throw new Error(`pnpm cluster down failed:\n${down.output}`);
  const left = leftovers(stateDir);
  if (left.length > 0) throw new Error(`pnpm cluster down left these behind:\n${left.join("\n")}`);
}

function tail(text: string, lines = 80): string {
  return text.split("\n").slice(-lines).join("\n");
}
