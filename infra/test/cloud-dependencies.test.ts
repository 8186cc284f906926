/**
 * The creation order of the cloud layer, read from the dependency lists the engine receives (see
 * support/engine-requests.ts): what a first `pulumi up` on a new project would do in parallel or in order.
 */
import { beforeAll, describe, expect, it } from "vitest";

import { recordEngineRequests, type EngineRequest } from "./support/engine-requests.js";
import { runCloudForTest, type Run } from "./support/platform.js";
import { STACKS } from "./support/rendered.js";
import type { CloudOutputs } from "../src/cloud/program.js";

const requests = recordEngineRequests();
const runs: Partial<Record<(typeof STACKS)[number], { run: Run<CloudOutputs>; sent: EngineRequest[] }>> = {};
beforeAll(async () => {
  for (const stack of STACKS) {
    const from = requests.length;
    const run = await runCloudForTest(stack);
    runs[stack] = { run, sent: requests.slice(from) };
  }
});

describe.each(STACKS)("%s cloud stack: first pulumi up on a new project", (stack) => {
  it("when an IAM binding names the project's Workload Identity pool, then the engine creates it only after the cluster (GKE creates the pool with the cluster)", () => {
    const { run, sent } = runs[stack]!;
    const namingPool = run.raw.filter(
      (r) => r.type !== "gcp:container/cluster:Cluster" && JSON.stringify(r.inputs).includes(".svc.id.goog"),
    );
    expect(namingPool.map((r) => r.name)).toContain("mongodb-backup-workload-identity");
    for (const r of namingPool) {
      const request = sent.find((q) => q.type === r.type && q.name === r.name);
      expect(request?.dependencies, `${r.type} ${r.name}`).toContain(`gke-${stack}`);
    }
  });
});
