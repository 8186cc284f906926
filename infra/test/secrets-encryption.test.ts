/* eslint-disable @typescript-eslint/no-unsafe-return -- resource inputs under mocks are untyped JSON; the assertions are what check their shape */
import { readFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { MOCK_PROJECT_NUMBER } from "../src/render/mocks.js";
import { loadStackConfig } from "../src/render/render.js";
import type { CloudOutputs } from "../src/cloud/program.js";
import { runCloudForTest, type Run } from "./support/platform.js";
import { infraDir, STACKS } from "./support/rendered.js";

const runs: Partial<Record<(typeof STACKS)[number], Run<CloudOutputs>>> = {};
beforeAll(async () => {
  for (const stack of STACKS) runs[stack] = await runCloudForTest(stack);
});

describe.each(STACKS)(
  "%s cloud stack: Kubernetes Secrets encrypted with our key (CIS GKE 5.3.1)",
  (stack) => {
    const run = () => runs[stack]!;

    it("when the cluster is created, then etcd encrypts Secrets with a Cloud KMS key of this stack", () => {
      const [cluster] = run().all("gcp:container/cluster:Cluster");
      const [key] = run().all("gcp:kms/cryptoKey:CryptoKey");
      expect(cluster!.inputs.databaseEncryption).toEqual({ state: "ENCRYPTED", keyName: `${key!.name}-id` });
    });

    it("when the key is made, then it lives in a key ring in the cluster's region, encrypts only, and rotates", async () => {
      const { config } = await loadStackConfig(infraDir, "cloud", stack);
      const rings = run().all("gcp:kms/keyRing:KeyRing");
      const keys = run().all("gcp:kms/cryptoKey:CryptoKey");
      expect(rings).toHaveLength(1);
      expect(keys).toHaveLength(1);
      expect(rings[0]!.inputs.location).toBe(config["gke-cloud:region"]);
      expect(keys[0]!.inputs.keyRing).toBe(`${rings[0]!.name}-id`);
      expect(keys[0]!.inputs.purpose ?? "ENCRYPT_DECRYPT").toBe("ENCRYPT_DECRYPT");
      expect(keys[0]!.inputs.rotationPeriod).toMatch(/^\d+s$/);
    });

    it("when GKE encrypts a Secret, then its service agent, and only it, may use the key, bound before the cluster exists", () => {
      const [key] = run().all("gcp:kms/cryptoKey:CryptoKey");
      const bindings = run()
        .all("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
        .concat(run().all("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"));
      expect(bindings.map((b) => [b.inputs.cryptoKeyId, b.inputs.role, b.inputs.member])).toEqual([
        [
          `${key!.name}-id`,
          "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          `serviceAccount:service-${MOCK_PROJECT_NUMBER}@container-engine-robot.iam.gserviceaccount.com`,
        ],
      ]);
      const [cluster] = run().all("gcp:container/cluster:Cluster");
      // GKE checks the key when it creates the cluster: without the grant in place first, creation fails.
      expect(run().options("gcp:container/cluster:Cluster", cluster!.name).dependsOn).toContain(
        bindings[0]!.name,
      );
    });

    it("when the project is new, then the Cloud KMS API is among the APIs the layer enables", () => {
      const services = run()
        .all("gcp:projects/service:Service")
        .map((s) => s.inputs.service);
      expect(services).toContain("cloudkms.googleapis.com");
    });
  },
);

describe("infra/README.md cost table", () => {
  it("when the cloud layer creates a Cloud KMS key, then the monthly cost table has a row for it", () => {
    const readme = readFileSync(path.join(infraDir, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## What it costs"), readme.indexOf("## Teardown"));
    expect(table).toMatch(/^\| Cloud KMS key [^\n]*\$0\.06 per active key version/m);
  });
});
