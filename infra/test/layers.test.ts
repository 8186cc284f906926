/**
 * The platform layer must run with the Kubernetes provider only (DESIGN 2b: it runs for real where no cloud
 * provider can be built). Checked twice: on the import graph of its entry point, and on what it registers.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { SERVICES } from "@platform/contract";
import { beforeAll, describe, expect, it } from "vitest";

import { runForTest, type StackRun } from "./support/platform.js";
import { infraDir, PLATFORM_STACKS } from "./support/rendered.js";

/** Every module reachable from `entry` through relative imports, and every package it imports. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const pending = [path.resolve(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith(".")) pending.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  }
  return { files, packages };
}

describe("platform layer providers", () => {
  const graph = importGraph(path.join(infraDir, "src/platform/index.ts"));

  it("when the platform entry point is loaded, then it imports no package but Pulumi's SDK, the Kubernetes provider, the services' contract and Node's own modules", () => {
    expect(graph.files.length).toBeGreaterThan(8);
    const foreign = [...graph.packages].filter(
      (p) =>
        !p.startsWith("node:") && !["@pulumi/pulumi", "@pulumi/kubernetes", "@platform/contract"].includes(p),
    );
    expect(foreign).toEqual([]);
  });

  it("when the contract package is what the platform imports, then it has no runtime dependency of its own", () => {
    const manifest = JSON.parse(
      readFileSync(path.join(infraDir, "../packages/contract/package.json"), "utf8"),
    ) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it("when a component of the platform layer is read, then it names no service: services come from the catalogue", () => {
    const names = SERVICES.map((s) => s.name);
    for (const file of graph.files) {
      const source = readFileSync(file, "utf8");
      for (const name of names)
        expect(source, `${path.relative(infraDir, file)} names ${name}`).not.toContain(name);
      expect(source, path.relative(infraDir, file)).not.toMatch(/\bapp[AB]\b|appA[A-Z]|appB[A-Z]/);
    }
  });

  it("when the import scan runs on the cloud layer, then it finds the cloud providers (the scan can fail)", () => {
    const cloud = importGraph(path.join(infraDir, "src/cloud/index.ts"));
    expect([...cloud.packages]).toEqual(
      expect.arrayContaining(["@pulumi/gcp", "@pulumi/random", "@pulumi/tls"]),
    );
  });

  const runs: Partial<Record<string, StackRun>> = {};
  beforeAll(async () => {
    for (const stack of PLATFORM_STACKS) runs[stack] = await runForTest(stack);
  });

  it.each(PLATFORM_STACKS)(
    "when the %s platform stack runs, then every resource is Kubernetes' (or the cloud StackReference) and uses the one explicit provider",
    (stack) => {
      const run = runs[stack]!;
      const types = new Set(run.raw.filter((r) => r.custom).map((r) => r.type));
      for (const type of types)
        expect(type, type).toMatch(
          /^(kubernetes:|pulumi:providers:kubernetes$|pulumi:pulumi:StackReference$)/,
        );
      const objects = run.raw.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      expect(objects.length).toBeGreaterThan(20);
      for (const r of objects)
        expect(r.provider, `${r.type} ${r.name}`).toMatch(
          /^urn:pulumi:[^:]+::gke-platform::(pulumi:pulumi:Stack\$)?pulumi:providers:kubernetes::kubernetes::/,
        );
    },
  );

  it("when the platform reads the cloud stack, then its provider gets the cloud stack's kubeconfig", () => {
    const provider = runs.prod!.one("pulumi:providers:kubernetes", "kubernetes");
    expect(JSON.parse(provider.kubeconfig as string).users[0].user.exec.command).toBe(
      "gke-gcloud-auth-plugin",
    );
  });

  it("when a bring-your-own stack sets no kubeconfig, then the provider falls back to the ambient one", () => {
    expect(
      runs["local.example"]!.one("pulumi:providers:kubernetes", "kubernetes").kubeconfig,
    ).toBeUndefined();
  });
});
