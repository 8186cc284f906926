import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { infraDir } from "./support/rendered.js";

const readme = readFileSync(path.join(infraDir, "README.md"), "utf8");
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

  it("when the README links somewhere, then the target is inside the repository", () => {
    for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) {
      if (/^https?:/.test(target!)) continue;
      const resolved = path.resolve(infraDir, target!.split("#")[0]!);
      expect(resolved.startsWith(path.resolve(infraDir, "..") + path.sep), target).toBe(true);
      expect(existsSync(resolved), target).toBe(true);
    }
  });

  it("when the commands use the scripts, then the scripts exist", () => {
    for (const script of ["up.sh", "init-secrets.sh"])
      expect(readFileSync(path.join(infraDir, "scripts", script), "utf8")).toMatch(/^#!\/usr\/bin\/env bash/);
  });
});
