import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { infraDir } from "./support/rendered.js";

const fakeBin = path.join(infraDir, "test", "fixtures", "fake-bin");
const BUCKET = "gs://ci-bootstrap-1-pulumi-state";
const kmsKey = (stack: string) =>
  `gcpkms://projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-${stack}`;

interface Run {
  status: number | null;
  output: string;
  /** "<project folder> <stack> <secrets provider>" of every stack that exists afterwards. */
  stacks: string[];
  calls: string[];
}

/** Runs infra/scripts/up.sh against the fake pulumi, gcloud and pnpm of test/fixtures/fake-bin. */
function upSh(args: string[], env: Record<string, string>, existing: string[] = []): Run {
  const state = mkdtempSync(path.join(tmpdir(), "up-sh-"));
  writeFileSync(path.join(state, "stacks"), existing.map((line) => `${line}\n`).join(""));
  writeFileSync(path.join(state, "calls.log"), "");
  const result = spawnSync(path.join(infraDir, "scripts", "up.sh"), args, {
    env: {
      PATH: `${fakeBin}:${process.env.PATH ?? ""}`,
      HOME: state,
      FAKE_STATE: state,
      FAKE_CLOUD_STACK: "organization/gke-cloud/dev",
      FAKE_BUCKET_LOCATION: "EUROPE-WEST1",
      ...env,
    },
    encoding: "utf8",
  });
  const lines = (file: string) => readFileSync(path.join(state, file), "utf8").split("\n").filter(Boolean);
  return {
    status: result.status,
    output: result.stderr + result.stdout,
    stacks: lines("stacks"),
    calls: lines("calls.log"),
  };
}

describe("infra/scripts/up.sh", () => {
  it("when neither layer has the stack yet, then both are created with bootstrap's KMS key for it, never the passphrase provider", () => {
    const run = upSh(["dev", "--yes"], { PULUMI_BACKEND_URL: BUCKET });
    expect(run.status, run.output).toBe(0);
    expect(run.stacks).toEqual([
      `platform dev ${kmsKey("dev")}`,
      `cloud organization/gke-cloud/dev ${kmsKey("dev")}`,
    ]);
    expect(run.calls).toContain(
      "gcloud storage buckets describe gs://ci-bootstrap-1-pulumi-state --format=value(location)",
    );
    expect(run.calls.filter((c) => / up /.test(c))).toEqual([
      expect.stringMatching(/^pulumi --cwd \S+\/cloud up --stack organization\/gke-cloud\/dev --yes$/),
      expect.stringMatching(/^pulumi --cwd \S+\/platform up --stack dev --yes$/),
    ]);
  });

  it("when --secrets-provider is given, then a missing stack is created with it and pulumi up does not get the flag", () => {
    const provider = "gcpkms://projects/other/locations/us-east1/keyRings/k/cryptoKeys/prod-key";
    const run = upSh(["prod", "--secrets-provider", provider, "--diff"], {
      PULUMI_BACKEND_URL: "file:///somewhere",
      FAKE_CLOUD_STACK: "",
    });
    expect(run.status, run.output).toBe(0);
    expect(run.stacks).toEqual([`platform prod ${provider}`]);
    expect(run.output).toContain("cloud layer: none");
    expect(run.calls.filter((c) => / up /.test(c))).toEqual([
      expect.stringMatching(/^pulumi --cwd \S+\/platform up --stack prod --diff$/),
    ]);
  });

  it("when the backend is not bootstrap's bucket and no provider is given, then it refuses to create the stack and deploys nothing", () => {
    const run = upSh(["dev"], { PULUMI_BACKEND_URL: "file:///somewhere" });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(
      "--secrets-provider gcpkms://projects/<project>/locations/<region>/keyRings/pulumi/cryptoKeys/pulumi-secrets-dev",
    );
    expect(run.stacks).toEqual([]);
    expect(run.calls.filter((c) => / up /.test(c))).toEqual([]);
  });

  it("when both stacks exist, then they are only selected: no stack is created and no key is looked up", () => {
    const existing = [`platform dev ${kmsKey("dev")}`, `cloud organization/gke-cloud/dev ${kmsKey("dev")}`];
    const run = upSh(["dev"], { PULUMI_BACKEND_URL: "file:///anything" }, existing);
    expect(run.status, run.output).toBe(0);
    expect(run.stacks).toEqual(existing);
    expect(run.calls.filter((c) => c.startsWith("gcloud") || c.includes("stack init"))).toEqual([]);
    expect(run.calls.filter((c) => / up /.test(c))).toHaveLength(2);
  });
});
