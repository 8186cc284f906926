import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { resolveClusterInputs, type OutputReader } from "../src/platform/cluster-inputs.js";
import { parsePlatformConfig } from "../src/platform/config.js";
import { mockEd25519Pem } from "../src/render/mocks.js";
import { ConfigValidationError } from "../src/shared/config-reader.js";
import { runForTest } from "./support/platform.js";

/** What a regional cloud stack exports (the values that matter here). */
const cloudOutputs: Record<string, unknown> = {
  kubeconfig: '{"apiVersion":"v1","clusters":[]}',
  registryUrl: "europe-west1-docker.pkg.dev/p/platform",
  zoneCount: 3,
  domain: "api.example.com",
  gatewayAddressName: "platform-gateway-ip-1",
  certificateMapName: "platform-gateway-certmap-1",
  sslPolicyName: "platform-gateway-tls-1",
  securityPolicyName: "",
  backupBucket: "backups-1",
  backupServiceAccount: "mongodb-backup@p.iam.gserviceaccount.com",
  apiServerCidrs: ["172.16.0.0/28"],
  jwtSigningKey: mockEd25519Pem("inputs-test"),
  mongodbPasswords: { "app-a": "a".repeat(40), "app-b": "b".repeat(40) },
  mongodbBackupPassword: "c".repeat(40),
};

const reader =
  (outputs: Record<string, unknown>): OutputReader =>
  (name) =>
    Promise.resolve(outputs[name]);

const config = (overrides: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    cloudStack: "organization/gke-cloud/prod",
    services: JSON.stringify({ "app-a": { image: "0.1.0" }, "app-b": { image: "0.1.0" } }),
    ...overrides,
  };
  return parsePlatformConfig({ get: (k) => values[k] }, "dev").config;
};

async function problemsOf(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigValidationError);
  return (err as Error).message;
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: a.name, state: a.inputs as Record<string, unknown> }),
      call: (a) => a.inputs as Record<string, unknown>,
    },
    "gke-platform",
    "prod",
  );
});

describe("cluster inputs: cloud stack outputs merged with config", () => {
  it("when the cloud stack exports everything, then the platform gets it as plain values", async () => {
    const inputs = await resolveClusterInputs(config(), reader(cloudOutputs));
    expect(inputs).toMatchObject({
      zoneCount: 3,
      domain: "api.example.com",
      certificateMapName: "platform-gateway-certmap-1",
      securityPolicyName: undefined,
      apiServerCidrs: ["172.16.0.0/28"],
      mongodbPasswords: {
        services: { "app-a": "a".repeat(40), "app-b": "b".repeat(40) },
        backup: "c".repeat(40),
      },
    });
  });

  it("when a key is set in config, then it wins over the cloud stack's output", async () => {
    const inputs = await resolveClusterInputs(
      config({ domain: "api.other.example", zoneCount: "1", mongodbMembers: "1" }),
      reader(cloudOutputs),
    );
    expect([inputs.domain, inputs.zoneCount]).toEqual(["api.other.example", 1]);
  });

  it("when MongoDB members outnumber the zones under required anti-affinity, then mongodbMembers is refused", async () => {
    const message = await problemsOf(
      resolveClusterInputs(config({ mongodbMembers: "5" }), reader(cloudOutputs)),
    );
    expect(message).toContain(
      "mongodbMembers: 5 members with required zone anti-affinity need as many zones, the cluster has 3",
    );
  });

  it("when anti-affinity is only preferred, then more members than zones are allowed", async () => {
    const cfg = config({ mongodbMembers: "5", mongodbZoneAntiAffinity: "preferred" });
    await expect(resolveClusterInputs(cfg, reader(cloudOutputs))).resolves.toBeDefined();
  });

  it.each([
    ["jwtSigningKey", "jwtSigningKey: required (the token issuer's signing key)"],
    ["mongodbPasswords", "mongodbPasswords.app-a: required in operator mode"],
    [
      "certificateMapName",
      "gatewayTlsCertificate: required (with gatewayTlsPrivateKey) unless a certificateMapName",
    ],
    ["registryUrl", "registryUrl: required when a service's image is a bare tag or digest"],
    ["apiServerCidrs", "apiServerCidrs: required in operator mode"],
    ["backupBucket", "backupBucket: required when backup is on"],
  ])("when the cloud stack lacks %s, then the error names the key", async (missing, expected) => {
    const outputs = { ...cloudOutputs, [missing]: undefined };
    expect(await problemsOf(resolveClusterInputs(config(), reader(outputs)))).toContain(expected);
  });

  it("when the cloud stack's JWT key is not Ed25519, then jwtSigningKey is refused without showing it", async () => {
    const outputs = {
      ...cloudOutputs,
      jwtSigningKey: "-----BEGIN PRIVATE KEY-----\nsecretstuff\n-----END PRIVATE KEY-----",
    };
    const message = await problemsOf(resolveClusterInputs(config(), reader(outputs)));
    expect(message).toContain("jwtSigningKey:");
    expect(message).not.toContain("secretstuff");
  });

  it("when the cloud stack has no password for one service, then only that service is named", async () => {
    const outputs = { ...cloudOutputs, mongodbPasswords: { "app-a": "a".repeat(40) } };
    const message = await problemsOf(resolveClusterInputs(config(), reader(outputs)));
    expect(message).toContain("mongodbPasswords.app-b: required in operator mode");
    expect(message).not.toContain("mongodbPasswords.app-a");
  });

  it("when a whole prod render asks for 5 members on 3 zones, then it fails before the platform is declared", async () => {
    await expect(runForTest("prod", { "gke-platform:mongodbMembers": "5" })).rejects.toThrow(
      /mongodbMembers: 5 members with required zone anti-affinity/,
    );
  });
});
