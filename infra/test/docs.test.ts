import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { infraDir, renderedObjects, renderedResources, STACKS } from "./support/rendered.js";

const readme = readFileSync(path.join(infraDir, "README.md"), "utf8");
/** The first cell of every row of the cost table. */
const costItems = readme
  .slice(readme.indexOf("## What it costs"), readme.indexOf("## Teardown"))
  .split("\n")
  .filter((line) => line.startsWith("| "))
  .map((line) => line.split("|")[1]!.trim());
const percent = (fraction: number) => `${String(Math.round(fraction * 100))} %`;

/**
 * Every log source a stack switches on that Cloud Logging bills at ingestion, as the row of the cost table must
 * name it (with its sampling, which the estimate depends on), read from what the two layers render.
 */
function billedLogSources(stack: string): string[] {
  const sources: string[] = [];
  for (const r of renderedResources(stack, "cloud")) {
    const log = r.inputs.logConfig as Record<string, unknown> | undefined;
    // A subnetwork's logConfig block is what turns flow logs on; GCP's default sampling is 0.5.
    if (r.type === "gcp:compute/subnetwork:Subnetwork" && log)
      sources.push(`VPC flow logs (${percent((log.flowSampling as number | undefined) ?? 0.5)} sampling`);
    if (r.type === "gcp:compute/routerNat:RouterNat" && log?.enable)
      sources.push(`Cloud NAT logs (${log.filter === "ERRORS_ONLY" ? "errors only" : "all"})`);
    const components = (r.inputs.loggingConfig as { enableComponents?: string[] } | undefined)
      ?.enableComponents;
    if (r.type === "gcp:container/cluster:Cluster" && components?.includes("WORKLOADS"))
      sources.push("GKE system and workload logs");
  }
  for (const o of renderedObjects(stack as (typeof STACKS)[number])) {
    const logging = o.kind === "GCPBackendPolicy" ? o.spec.default.logging : undefined;
    // sampleRate is out of 1,000,000; without it GKE logs every request.
    if (logging?.enabled)
      sources.push(
        `load-balancer request logs (${percent((logging.sampleRate ?? 1_000_000) / 1_000_000)} sampling`,
      );
  }
  return [...new Set(sources)];
}

const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("infra/README.md", () => {
  it.each(["cloud", "platform"])(
    "when %s/Pulumi.yaml declares a key, then the config reference documents it",
    (layer) => {
      const decls = (
        parse(readFileSync(path.join(infraDir, layer, "Pulumi.yaml"), "utf8")) as {
          config: Record<string, unknown>;
        }
      ).config;
      for (const key of Object.keys(decls)) expect(readme, key).toMatch(new RegExp(`\\| \`${key}\` +\\|`));
    },
  );

  it("when the first run is followed, then no step is a targeted update (a targeted create whose parent component is not created is refused)", () => {
    for (const block of shellBlocks) expect(block).not.toMatch(/pulumi up[^\n]*--target/);
    expect(readme).toContain("pulumi up --stack dev          # Google Cloud only");
  });

  it("when the platform is torn down, then the README destroys the platform stack and waits for the load balancer and NEGs before destroying the cloud stack", () => {
    const teardown = readme.slice(readme.indexOf("## Teardown"));
    let from = 0;
    for (const step of [
      "cd infra/platform",
      "pulumi destroy",
      "gcloud compute forwarding-rules list",
      "gcloud compute network-endpoint-groups list",
      "cd ../cloud",
      "pulumi destroy",
    ]) {
      const at = teardown.indexOf(step, from);
      expect(at, `"${step}" after position ${from}`).toBeGreaterThanOrEqual(from);
      from = at + step.length;
    }
  });

  it.each(STACKS)(
    "when the %s stack turns on a billed log source, then the cost table has a row for it at its sampling rate",
    (stack) => {
      const sources = billedLogSources(stack);
      expect(sources.length).toBeGreaterThanOrEqual(3);
      for (const source of sources)
        expect(
          costItems.some((item) => item.includes(source)),
          `${source} in ${JSON.stringify(costItems)}`,
        ).toBe(true);
    },
  );

  it("when the README links somewhere, then the target is inside the repository", () => {
    for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) {
      if (/^https?:/.test(target!)) continue;
      const resolved = path.resolve(infraDir, target!.split("#")[0]!);
      expect(resolved.startsWith(path.resolve(infraDir, "..") + path.sep), target).toBe(true);
      expect(existsSync(resolved), target).toBe(true);
    }
  });

  it.each([
    ["cloud", "gke-cloud", ["dev", "prod"]],
    ["platform", "gke-platform", ["dev", "prod", "local.example"]],
  ] as const)(
    "when the %s config reference shows a stack's value, then it is the value in that Pulumi.<stack>.yaml",
    (layer, project, stacks) => {
      const section = readme.slice(readme.indexOf(`### ${layer} (\`${project}\`)`));
      const table = section.slice(section.indexOf("\n| key ")).split("\n\n")[0]!;
      const header = table
        .split("\n")[1]!
        .split("|")
        .map((c) => c.trim());
      const rows = table
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()));
      for (const stack of stacks) {
        const column = header.indexOf(stack);
        expect(column, stack).toBeGreaterThan(0);
        const config = (
          parse(readFileSync(path.join(infraDir, layer, `Pulumi.${stack}.yaml`), "utf8")) as {
            config: Record<string, unknown>;
          }
        ).config;
        for (const cells of rows) {
          const key = cells[1]!.replaceAll("`", "");
          const value = config[`${project}:${key}`];
          const shown = cells[column]!;
          if (key === "services" && value !== undefined) {
            // A summary: each service's replica range as the stack sets it.
            for (const [name, s] of Object.entries(value as Record<string, Record<string, number>>))
              expect(shown, `${stack} ${name}`).toMatch(
                new RegExp(
                  `\\b(${String(s.minReplicas)}–${String(s.maxReplicas)}\\b|minReplicas ${String(s.minReplicas)}, maxReplicas ${String(s.maxReplicas)}\\b)`,
                ),
              );
            continue;
          }
          // Scalars as YAML writes them, arrays as JSON with a space after each comma.
          const expected =
            value === undefined
              ? ""
              : typeof value === "string" || typeof value === "number" || typeof value === "boolean"
                ? String(value)
                : JSON.stringify(value).replaceAll(",", ", ");
          expect(shown, `${layer} ${key} (${stack})`).toBe(expected);
        }
      }
    },
  );

  it("when the commands use the scripts, then the scripts exist", () => {
    for (const script of ["up.sh", "init-secrets.sh"])
      expect(readFileSync(path.join(infraDir, "scripts", script), "utf8")).toMatch(/^#!\/usr\/bin\/env bash/);
  });
});
