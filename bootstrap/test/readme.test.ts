import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

/** The first ```sh block of the numbered step `n` of README.md, de-indented. */
function stepCommands(n: number): string {
  const step = readme.slice(readme.indexOf(`\n${String(n)}. `), readme.indexOf(`\n${String(n + 1)}. `));
  const block = /```sh\n([\s\S]*?)```/.exec(step)?.[1] ?? "";
  return block.replace(/^ {3}/gm, "");
}

/**
 * A stand-in for the Pulumi CLI: `stack output` answers only while the bootstrap stack's local backend is
 * selected (in the bucket there is no bootstrap stack, exactly as for real); every call is logged with the
 * backend and passphrase it saw.
 */
const FAKE_PULUMI = `#!/usr/bin/env bash
echo "\${PULUMI_BACKEND_URL:-}|\${PULUMI_CONFIG_PASSPHRASE-unset}|$*" >>"$FAKE_LOG"
[ "$1" = --cwd ] && shift 2
case "$1 $2" in
  "stack output")
    [[ \${PULUMI_BACKEND_URL:-} == file://* ]] || { echo "error: no stack named 'bootstrap' found" >&2; exit 255; }
    case $3 in
      repositoryVariables) echo '{"PULUMI_BACKEND_URL": "gs://ci-bootstrap-1-pulumi-state"}' ;;
      secretsProviders) echo '{"dev": "gcpkms://projects/ci/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-dev", "prod": "gcpkms://projects/ci/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-prod"}' ;;
    esac ;;
  "stack init") ;;
  *) echo "fake pulumi: unexpected $*" >&2; exit 2 ;;
esac
`;

describe("bootstrap/README.md", () => {
  it("when step 5 is run as written, then every infra stack of both layers is created in the bucket with its own KMS secrets provider", () => {
    const root = mkdtempSync(path.join(tmpdir(), "bootstrap-readme-"));
    const bin = path.join(root, "bin");
    for (const dir of [bin, "bootstrap", "infra/cloud", "infra/platform"].map((d) => path.resolve(root, d)))
      mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI);
    chmodSync(path.join(bin, "pulumi"), 0o755);
    const log = path.join(root, "calls.log");
    writeFileSync(log, "");

    const commands = stepCommands(5);
    expect(commands).toContain("stack init");
    // Step 3 left the shell in bootstrap/ with the local backend and an empty passphrase exported.
    const result = spawnSync("bash", ["-c", commands], {
      cwd: path.join(root, "bootstrap"),
      env: {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        FAKE_LOG: log,
        PULUMI_BACKEND_URL: `file://${root}/.pulumi-bootstrap`,
        PULUMI_CONFIG_PASSPHRASE: "",
      },
      encoding: "utf8",
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).not.toContain("ERROR");

    const inits = readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.includes("stack init"));
    expect(
      inits.map((line) => line.replace(/gcpkms:\/\/\S*-/, "gcpkms://.../pulumi-secrets-")).sort(),
    ).toEqual([
      "gs://ci-bootstrap-1-pulumi-state|unset|--cwd infra/cloud stack init dev --secrets-provider gcpkms://.../pulumi-secrets-dev",
      "gs://ci-bootstrap-1-pulumi-state|unset|--cwd infra/cloud stack init prod --secrets-provider gcpkms://.../pulumi-secrets-prod",
      "gs://ci-bootstrap-1-pulumi-state|unset|--cwd infra/platform stack init dev --secrets-provider gcpkms://.../pulumi-secrets-dev",
      "gs://ci-bootstrap-1-pulumi-state|unset|--cwd infra/platform stack init prod --secrets-provider gcpkms://.../pulumi-secrets-prod",
    ]);
  });
});
