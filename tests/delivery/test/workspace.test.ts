import { globSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoPath } from "../src/paths.js";

interface Manifest {
  name: string;
  private?: boolean;
  type?: string;
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = (file: string) => JSON.parse(readFileSync(repoPath(file), "utf8")) as Manifest;
const root = read("package.json");
const packages = globSync(
  [
    "apps/*/package.json",
    "packages/*/package.json",
    "tests/*/package.json",
    "infra/package.json",
    "bootstrap/package.json",
    "bench/package.json",
  ],
  { cwd: repoPath(".") },
)
  .sort()
  .map((file) => ({ file, manifest: read(file) }));
const SCRIPTS = ["build", "lint", "typecheck", "test", "clean"];

// The workspace's own lint of its manifests: one script vocabulary, one Node range, exact versions, and a
// dependency that two packages share comes from the catalog (or is a workspace package).
describe("the workspace's package.json files", () => {
  it("when the packages are listed, then every workspace package is found", () => {
    expect(packages.length).toBeGreaterThanOrEqual(12);
  });

  it.each(packages)(
    "when $file is read, then it is private ESM on the root's Node range with the common scripts",
    ({ manifest }) => {
      expect(manifest.private).toBe(true);
      expect(manifest.type).toBe("module");
      expect(manifest.engines?.node).toBe(root.engines?.node);
      expect(Object.keys(manifest.scripts ?? {})).toEqual(expect.arrayContaining(SCRIPTS));
    },
  );

  it.each(packages)(
    "when $file names a dependency, then its version is exact, the catalog's, or the workspace's",
    ({ manifest }) => {
      for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }))
        expect(version, name).toMatch(/^(catalog:|workspace:\*|\d+\.\d+\.\d+(-[\w.]+)?)$/);
    },
  );

  it("when two packages use the same dependency, then both take it from the catalog (or it is a workspace package)", () => {
    const users = new Map<string, string[]>();
    for (const { file, manifest } of packages)
      for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }))
        if (version !== "catalog:" && version !== "workspace:*")
          users.set(name, [...(users.get(name) ?? []), file]);
    const shared = [...users].filter(([, files]) => files.length > 1);
    expect(shared).toEqual([]);
  });
});
