/**
 * `pnpm new-service <name>` in a copy of the repository: the service it creates installs, builds and passes its
 * own tests, the catalogue and the committed stacks accept it, and the platform renders it with its own objects
 * and route. (Deploying it on the local cluster and calling it through the Gateway is
 * scripts/new-service/try-on-cluster.sh, on demand: it adds minutes.)
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

import { repoRoot } from "../src/paths.js";

let copy: string;
const run = (command: string, args: readonly string[], cwd = copy, env: Record<string, string> = {}) => {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

beforeAll(() => {
  // The repository as it is now (tracked and new files, uncommitted edits included), without build output.
  copy = mkdtempSync(path.join(tmpdir(), "new-service-"));
  const files = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  }).stdout.split("\0");
  for (const file of files.filter(Boolean)) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    try {
      cpSync(path.join(repoRoot, file), path.join(copy, file));
    } catch {
      // A file deleted in the working tree but still in the index: not part of the repository as it is now.
    }
  }
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe("pnpm new-service", () => {
  it("when a service is created, then it installs, builds and passes its own tests, and the repository stays formatted", () => {
    // As a user would: an installed workspace, the one command, then install again to link the new package.
    const installed = run("pnpm", ["install", "--prefer-offline", "--frozen-lockfile"]);
    expect(installed.status, installed.output).toBe(0);
    const created = run("node", ["scripts/new-service/new-service.ts", "billing"], copy, { NODE_PATH: "" });
    expect(created.status, created.output).toBe(0);
    expect(created.output).toContain(
      "created apps/billing (port 3002, metrics 9466, database billing, route /v1/billing)",
    );
    const install = run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"]);
    expect(install.status, install.output).toBe(0);
    const build = run("pnpm", ["--filter", "billing...", "--filter", "infra...", "build"]);
    expect(build.status, build.output).toBe(0);
    const test = run("pnpm", ["--filter", "billing", "test"]);
    expect(test.status, test.output).toBe(0);
    // eslint-disable-next-line no-control-regex -- vitest colours its summary
    expect(test.output.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests +4 passed/);
    const format = run("pnpm", [
      "exec",
      "prettier",
      "--check",
      "apps/billing",
      "packages/contract",
      ".changeset",
      "infra/platform",
    ]);
    expect(format.status, format.output).toBe(0);
  });

  it("when the catalogue and the stacks are read, then the service has its entry, its image key and its release", () => {
    const catalogue = JSON.parse(
      readFileSync(path.join(copy, "packages/contract/src/services.json"), "utf8"),
    ) as {
      services: { name: string; calls: string[]; tokens: string }[];
    };
    expect(catalogue.services.find((s) => s.name === "billing")).toMatchObject({
      tokens: "verifier",
      calls: ["app-b"],
    });
    for (const stack of ["dev", "prod"]) {
      const file = parse(readFileSync(path.join(copy, `infra/platform/Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, Record<string, { image?: string }>>;
      };
      expect(file.config["gke-platform:services"]?.billing?.image, stack).toBe("0.1.0");
    }
    const changesets = JSON.parse(readFileSync(path.join(copy, ".changeset/config.json"), "utf8")) as {
      ignore: string[];
    };
    expect(changesets.ignore).toContain("!billing");
  });

  it("when the platform renders the dev stack, then the new service has its Deployment and HPA and the Gateway routes its prefix to it", () => {
    const render = run("node", ["dist/render/cli.js", "--stack", "dev"], path.join(copy, "infra"));
    expect(render.status, render.output).toBe(0);
    const objects = parseAllDocuments(
      readFileSync(path.join(copy, "infra/.rendered/dev/platform/kubernetes.yaml"), "utf8"),
    ).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: any }); // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests
    const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    for (const kind of [
      "Deployment",
      "Service",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "NetworkPolicy",
    ])
      expect(named(kind), kind).toContain("billing");
    const route = objects.find((o) => o.kind === "HTTPRoute" && o.metadata.name.endsWith("-api"));
    expect(JSON.stringify(route?.spec)).toContain('{"path":{"type":"PathPrefix","value":"/v1/billing"}}');
  });
});
