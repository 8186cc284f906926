import { spawnSync } from "node:child_process";
import { globSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoPath, repoRoot } from "../src/paths.js";
import { loadWorkflows, type Job } from "../src/workflows.js";

/**
 * What a package's tests need beyond Node and the linters: `"platform": { "testNeeds": ["root", "cluster-tools"] }`
 * in its package.json. A GitHub-hosted runner's user is not root and has no Go-built cluster tools, so a job may
 * run such a package's tests only when it installs them the way .ci/run does: `sudo ... bootstrap.sh --cluster`.
 */
function packagesNeedingRoot(): string[] {
  return globSync("{apps,packages,tests}/*/package.json", { cwd: repoRoot })
    .concat(["bench/package.json", "infra/package.json", "bootstrap/package.json"])
    .map(
      (file) =>
        JSON.parse(readFileSync(repoPath(file), "utf8")) as {
          name: string;
          platform?: { testNeeds?: string[] };
        },
    )
    .filter((pkg) => pkg.platform?.testNeeds?.includes("root") === true)
    .map((pkg) => pkg.name);
}

/** Splits one shell command line into words as the shell does with quotes (no expansions: enough for these lines). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)].map((m) =>
    m[0].replace(/'([^']*)'|"([^"]*)"/g, "$1$2"),
  );
}

/** The commit that started the repository: `[<it>]` counts every package as changed, the widest pull request. */
function firstCommit(): string {
  const result = spawnSync("git", ["rev-list", "--max-parents=0", "HEAD"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return result.stdout.trim().split("\n").at(-1)!;
}

/** Every value the job's steps may give `$FILTER` (written as `echo "filter=..." >> "$GITHUB_OUTPUT"`). */
function filterValues(job: Job): string[] {
  const values = (job.steps ?? []).flatMap((s) =>
    [...(s.run ?? "").matchAll(/echo "filter=([^"]*)"/g)].map((m) => m[1]!),
  );
  return values.length > 0 ? values : [""];
}

interface TestRun {
  readonly job: string;
  readonly asRoot: boolean;
  /** The `--filter` words of one variant of the job's `turbo run ... test` line, variables substituted. */
  readonly filters: string[];
}

/** Each `turbo run` that runs `test` in a workflow job, once per value its `$FILTER` may take. */
function testRuns(): TestRun[] {
  const base = firstCommit();
  return loadWorkflows().flatMap((wf) =>
    Object.entries(wf.jobs).flatMap(([id, job]) =>
      (job.steps ?? []).flatMap((step) => {
        const script = (step.run ?? "").replace(/\\\n\s*/g, " ");
        const line = script.split("\n").find((l) => /\bturbo run\b/.test(l) && /\btest\b/.test(l));
        if (line === undefined) return [];
        const asRoot = /\bsudo\b/.test(line) && /bootstrap\.sh --cluster\b/.test(line);
        return filterValues(job).map((value) => ({
          job: `${wf.file} ${id}`,
          asRoot,
          filters: shellWords(line.replace("$FILTER", value))
            .filter((w) => w.startsWith("--filter="))
            .map((w) => w.replace("origin/$BASE_REF", base)),
        }));
      }),
    ),
  );
}

/** The packages whose `test` task turbo would run with these filters, asked of turbo itself (a dry run). */
function packagesTested(filters: readonly string[]): string[] {
  const result = spawnSync(repoPath("node_modules/.bin/turbo"), ["run", "test", ...filters, "--dry=json"], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.status, result.stderr).toBe(0);
  const plan = JSON.parse(result.stdout) as { tasks: { package: string; task: string }[] };
  return [...new Set(plan.tasks.filter((t) => t.task === "test").map((t) => t.package))].sort();
}

describe("CI jobs run only the tests their runner can run", () => {
  const needRoot = packagesNeedingRoot();
  const runs = testRuns();

  it("when the packages are read, then the cluster suite declares that its tests need root", () => {
    expect(needRoot).toEqual(["cluster-checks"]);
  });

  it("when a job runs tests without root, then turbo selects none of the packages that need root", () => {
    const unprivileged = runs.filter((r) => !r.asRoot);
    // ci.yml's checks job: once for pull requests (the widest change), once for main.
    expect(unprivileged.length).toBeGreaterThanOrEqual(2);
    for (const run of unprivileged) {
      const tested = packagesTested(run.filters);
      expect(tested.length, `${run.job} ${run.filters.join(" ")}`).toBeGreaterThan(5);
      for (const pkg of needRoot) expect(tested, `${run.job} ${run.filters.join(" ")}`).not.toContain(pkg);
    }
  });

  it("when a package's tests need root, then a job runs them through sudo and bootstrap.sh --cluster", () => {
    const privileged = runs.filter((r) => r.asRoot);
    const tested = new Set(privileged.flatMap((r) => packagesTested(r.filters)));
    for (const pkg of needRoot) expect([...tested]).toContain(pkg);
  });

  it("when the cluster job restores its caches, then the key follows the wrapper modules and the install scripts", () => {
    const ci = loadWorkflows().find((w) => w.file === ".github/workflows/ci.yml")!;
    const job = ci.jobs.cluster!;
    const cache = job.steps!.find((s) => s.uses?.startsWith("actions/cache@") === true)!;
    const key = String(cache.with?.key);
    for (const input of [
      "tools/**/go.mod",
      "tools/**/go.sum",
      "scripts/install-*.sh",
      "scripts/bootstrap.sh",
    ]) {
      expect(key).toContain(`'${input}'`);
    }
    expect(String(cache.with?.path)).toContain("~/.cache/gke-platform");
    expect(String(cache.with?.path)).toContain("~/go/pkg/mod");
    // Long enough for a cold cache's Go builds and the suite, within GitHub's six-hour job limit.
    expect(job["timeout-minutes"]).toBeGreaterThanOrEqual(90);
  });
});

/**
 * Packages whose tests read files of the repository that are not theirs nor a dependency's (workflows, the
 * Dockerfile, scripts, docs, other packages' generated files): their test sources call `repoRoot()`/`repoPath()`
 * or reach up with `../../` (an import, static or dynamic). Turbo hashes only a package's own files and its dependencies, so with the cache that
 * ci.yml's checks job restores, a change to one of those files alone would replay these tests' old result instead
 * of running them.
 */
function packagesReadingTheRepository(): string[] {
  return globSync("{apps,packages,tests}/*/package.json", { cwd: repoRoot })
    .concat(["bench/package.json", "infra/package.json", "bootstrap/package.json"])
    .filter((file) =>
      globSync("**/*.test.ts", { cwd: repoPath(file.replace(/package\.json$/, "")) })
        .filter((test) => !test.includes("node_modules"))
        .some((test) =>
          /repoRoot\(|repoPath\(|repoRoot,|(from |import\()"\.\.\/\.\.\//.test(
            readFileSync(repoPath(file.replace(/package\.json$/, ""), test), "utf8"),
          ),
        ),
    )
    .map((file) => (JSON.parse(readFileSync(repoPath(file), "utf8")) as { name: string }).name)
    .sort();
}

describe("turbo's cache and the tests that read the whole repository", () => {
  it("when a package's tests read files no package owns, then turbo never answers its test task from the cache", () => {
    const readers = packagesReadingTheRepository();
    expect(readers).toEqual(expect.arrayContaining(["delivery-checks", "bench"]));
    const result = spawnSync(repoPath("node_modules/.bin/turbo"), ["run", "test", "--dry=json"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(result.status, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      tasks: { package: string; task: string; resolvedTaskDefinition: { cache: boolean } }[];
    };
    for (const pkg of readers) {
      const task = plan.tasks.find((t) => t.package === pkg && t.task === "test");
      expect(task, pkg).toBeDefined();
      expect(task!.resolvedTaskDefinition.cache, `${pkg}#test is cached`).toBe(false);
    }
  });
});
