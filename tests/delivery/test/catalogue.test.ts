/**
 * The catalogue is the one list of services delivery acts on: each is a workspace package of the same name,
 * changesets versions it (whatever its name), and a release of it becomes an image.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { parseGithubOutput } from "../src/github-output.js";
import { repoPath, repoRoot } from "../src/paths.js";

interface Entry {
  name: string;
  package: string;
}
const catalogue = JSON.parse(readFileSync(repoPath("packages/contract/src/services.json"), "utf8")) as {
  services: Entry[];
};
const changesets = JSON.parse(readFileSync(repoPath(".changeset/config.json"), "utf8")) as {
  ignore: string[];
};

/** What changesets' ignore list means for one package name (any pattern matches, no negated one does). */
function ignoredByChangesets(name: string): boolean {
  const positive = changesets.ignore.filter((p) => !p.startsWith("!"));
  const negative = changesets.ignore.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  return positive.some((p) => path.matchesGlob(name, p)) && !negative.some((p) => path.matchesGlob(name, p));
}

describe("the service catalogue in delivery", () => {
  it.each(catalogue.services.map((s) => [s.name, s]))(
    "when %s is in the catalogue, then it is the workspace package of the same name, and changesets versions it",
    (_name, entry) => {
      const manifest = JSON.parse(readFileSync(repoPath(entry.package, "package.json"), "utf8")) as {
        name: string;
      };
      expect(manifest.name).toBe(entry.name);
      expect(ignoredByChangesets(entry.name)).toBe(false);
    },
  );

  it("when a package is not a service (infra, the shared packages, the tests), then changesets ignores it", () => {
    for (const name of ["infra", "bench", "@platform/shared", "@platform/contract", "e2e", "delivery-checks"])
      expect(ignoredByChangesets(name), name).toBe(true);
  });

  it("when a service whose name does not start with app- is released, then it becomes an image to build and deploy", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "catalogue-"));
    const file = path.join(dir, "services.json");
    writeFileSync(file, JSON.stringify({ services: [...catalogue.services, { name: "billing" }] }));
    const published = JSON.stringify([
      { name: "billing", version: "0.1.0" },
      { name: "app-a", version: "1.2.0" },
      { name: "@platform/shared", version: "0.2.0" },
    ]);
    const result = spawnSync("bash", [repoPath(".github/scripts/released-apps.sh"), published], {
      cwd: repoRoot,
      env: { ...process.env, CATALOGUE: file },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    const outputs = parseGithubOutput(result.stdout);
    expect(JSON.parse(outputs.get("apps")!)).toEqual([
      { name: "billing", version: "0.1.0" },
      { name: "app-a", version: "1.2.0" },
    ]);
    expect(outputs.get("versions")).toBe("billing=0.1.0 app-a=1.2.0");
  });
});
