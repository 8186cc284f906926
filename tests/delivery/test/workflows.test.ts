import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { repoPath, repoRoot } from "../src/paths.js";
import { runTool } from "../src/tools.js";
import { actionReferences, allSteps, loadWorkflows, type Job } from "../src/workflows.js";

const workflows = loadWorkflows();
const steps = allSteps();
const GOOGLE_AUTH = /^google-github-actions\/auth@/;

/** True when the job authenticates to Google Cloud itself or calls a local workflow whose jobs do. */
function authenticatesToGoogle(job: Job): boolean {
  if (job.steps?.some((s) => GOOGLE_AUTH.test(s.uses ?? "")) === true) return true;
  const called =
    job.uses?.startsWith("./") === true ? workflows.find((w) => `./${w.file}` === job.uses) : undefined;
  return called !== undefined && Object.values(called.jobs).some(authenticatesToGoogle);
}

/** Paths under .github/scripts/ or scripts/ that a `run:` block executes. */
function scriptsIn(run: string): string[] {
  return [...run.matchAll(/(?:^|[\s"'])((?:\.github\/)?scripts\/[\w./-]+\.sh)\b/g)].map((m) => m[1]!);
}

describe("GitHub Actions workflows", () => {
  it("when the repository is read, then CI, preview, release and deploy workflows exist", () => {
    expect(workflows.map((w) => w.file).sort()).toEqual([
      ".github/workflows/ci.yml",
      ".github/workflows/deploy.yml",
      ".github/workflows/preview.yml",
      ".github/workflows/release.yml",
    ]);
  });

  it("when actionlint checks them with shellcheck, then it reports nothing", () => {
    // actionlint silently skips `run:` scripts when shellcheck is missing, so require it first.
    expect(runTool("shellcheck", ["--version"], repoRoot).status).toBe(0);
    const result = runTool("actionlint", ["-shellcheck", "shellcheck", "-color=false"], repoRoot);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it("when a workflow or composite action uses a remote action, then it is pinned by full commit SHA with its release in a comment", () => {
    const refs = actionReferences();
    expect(refs.filter((r) => !r.uses.startsWith("./")).length).toBeGreaterThan(10);
    for (const { file, uses, comment } of refs) {
      if (uses.startsWith("./")) continue;
      // A tag or branch can be moved to other code; a commit cannot. The comment is what Renovate and a reader
      // see: the release the SHA was taken from (`# v4.2.2`).
      expect(uses, file).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(comment, `${file} ${uses}`).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });

  it("when one action is used in several places, then every place pins the same commit and release", () => {
    const byAction = new Map<string, Set<string>>();
    for (const { uses, comment } of actionReferences()) {
      if (uses.startsWith("./")) continue;
      const [action] = uses.split("@");
      byAction.set(action!, (byAction.get(action!) ?? new Set()).add(`${uses} # ${comment}`));
    }
    for (const [action, pins] of byAction) expect([...pins], action).toHaveLength(1);
  });

  it("when Renovate reads its config, then it keeps action SHAs and Docker digests pinned and current", () => {
    const candidates = ["renovate.json", ".github/renovate.json"].filter((f) => existsSync(repoPath(f)));
    expect(candidates).toHaveLength(1);
    const config = JSON.parse(readFileSync(repoPath(candidates[0]!), "utf8")) as {
      extends?: string[];
      enabledManagers?: string[];
      dockerfile?: { pinDigests?: boolean };
    };
    expect(config.extends).toEqual(
      expect.arrayContaining(["config:recommended", "helpers:pinGitHubActionDigests"]),
    );
    expect(config.enabledManagers).toEqual(expect.arrayContaining(["github-actions", "dockerfile"]));
    expect(config.dockerfile?.pinDigests).toBe(true);
  });

  it("when a job calls a local workflow, then it passes every secret that workflow reads, and that workflow declares it", () => {
    const calls = workflows.flatMap((wf) =>
      Object.entries(wf.jobs).flatMap(([id, job]) =>
        job.uses?.startsWith("./") === true ? [{ where: `${wf.file} ${id}`, job }] : [],
      ),
    );
    expect(calls.map((c) => c.where).sort()).toEqual([
      ".github/workflows/release.yml ci",
      ".github/workflows/release.yml deploy",
    ]);
    for (const { where, job } of calls) {
      const file = job.uses!.slice(2);
      const called = workflows.find((w) => w.file === file)!;
      const read = new Set(
        [...readFileSync(repoPath(file), "utf8").matchAll(/secrets\.([A-Za-z0-9_]+)/g)]
          .map((m) => m[1]!)
          .filter((name) => name !== "GITHUB_TOKEN"),
      );
      const declared = Object.keys(
        (called.on.workflow_call as { secrets?: Record<string, unknown> } | null)?.secrets ?? {},
      );
      for (const name of read) {
        expect(declared, `${file} declares ${name}`).toContain(name);
        if (job.secrets !== "inherit")
          expect(Object.keys(job.secrets ?? {}), `${where} passes ${name}`).toContain(name);
      }
    }
  });

  it("when a step makes a GitHub App token, then it names the App by client ID (app-id is deprecated)", () => {
    const tokenSteps = steps.filter(
      ({ step }) => step.uses?.startsWith("actions/create-github-app-token@") === true,
    );
    expect(tokenSteps.length).toBeGreaterThan(0);
    for (const { where, step } of tokenSteps) {
      expect(Object.keys(step.with ?? {}), where).toContain("client-id");
      expect(Object.keys(step.with ?? {}), where).not.toContain("app-id");
    }
  });

  it("when a workflow runs, then its default token can only read the repository", () => {
    for (const wf of workflows) expect(wf.permissions, wf.file).toEqual({ contents: "read" });
  });

  it("when a job may request an OIDC token, then it is a job that authenticates to Google Cloud", () => {
    for (const wf of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const perms = typeof job.permissions === "object" ? job.permissions : {};
        const wantsToken = perms["id-token"] === "write";
        expect(wantsToken, `${wf.file} ${id}`).toBe(authenticatesToGoogle(job));
      }
    }
  });

  it("when credentials reach Google Cloud, then they come from Workload Identity Federation, never a JSON key", () => {
    for (const { where, step } of steps.filter(({ step }) => GOOGLE_AUTH.test(step.uses ?? ""))) {
      expect(Object.keys(step.with ?? {}).sort(), where).toEqual(
        expect.arrayContaining(["service_account", "workload_identity_provider"]),
      );
      expect(step.with, where).not.toHaveProperty("credentials_json");
    }
  });

  it("when runs overlap, then every workflow or each of its jobs that changes something has a concurrency group", () => {
    for (const wf of workflows) {
      // A job with only the workflow's read-only token and no environment (deploy.yml's stack lookup) changes
      // nothing, so overlapping runs of it cannot collide.
      const readOnly = (job: Job) => job.permissions === undefined && job.environment === undefined;
      const everyJob = Object.values(wf.jobs).every(
        (job) => job.concurrency !== undefined || job.uses !== undefined || readOnly(job),
      );
      expect(wf.concurrency !== undefined || everyJob, wf.file).toBe(true);
    }
  });

  it("when a deploy job runs, then it holds its environment's lock and never cancels a rollout in progress", () => {
    const deploy = workflows.find((w) => w.file.endsWith("deploy.yml"))!;
    const deploying = Object.values(deploy.jobs).filter((job) => job.steps?.some((s) => s.id === "deploy"));
    expect(deploying).toHaveLength(1);
    for (const job of deploying) {
      expect(job.environment).toBeDefined();
      expect(job.concurrency).toMatchObject({ "cancel-in-progress": false });
      expect(JSON.stringify(job.concurrency)).toContain("inputs.stack");
    }
  });

  it("when a job runs steps, then it has a timeout", () => {
    for (const wf of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        // A job that calls a reusable workflow cannot set one; that workflow's own jobs do (checked here too).
        if (job.uses !== undefined) continue;
        expect(job["timeout-minutes"], `${wf.file} ${id}`).toBeGreaterThan(0);
      }
    }
  });

  it("when a workflow refers to a local action, workflow or script, then it exists (and scripts are executable)", () => {
    const locals = [
      ...steps.flatMap(({ step }) => (step.uses?.startsWith("./") === true ? [step.uses] : [])),
      ...workflows.flatMap((wf) =>
        Object.values(wf.jobs).flatMap((job) => (job.uses?.startsWith("./") ? [job.uses] : [])),
      ),
    ];
    expect(locals).toContain("./.github/actions/setup");
    for (const ref of locals) {
      const target = repoPath(ref);
      expect(existsSync(ref.endsWith(".yml") ? target : `${target}/action.yml`), ref).toBe(true);
    }
    const scripts = steps.flatMap(({ step }) => scriptsIn(step.run ?? ""));
    expect(scripts).toContain(".github/scripts/smoke-test.sh");
    expect(scripts).toContain(".github/scripts/rollback.sh");
    for (const script of scripts)
      expect(() => {
        accessSync(repoPath(script), constants.X_OK);
      }, script).not.toThrow();
  });

  it("when a stack has a configuration file in one layer, then it has one in the other (DEPLOY_STACKS names a stack for both)", () => {
    // The committed stack files: the local cluster writes an untracked infra/platform/Pulumi.local.yaml.
    const stacksOf = (layer: string) =>
      spawnSync("git", ["ls-files", `infra/${layer}/Pulumi.*.yaml`], { cwd: repoRoot, encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean)
        .map((file) => /Pulumi\.(.+)\.yaml$/.exec(file)![1]!)
        .filter((stack) => !stack.endsWith(".example")) // a template for the local cluster, not a stack
        .sort();
    expect(stacksOf("cloud")).toContain("dev");
    expect(stacksOf("platform")).toEqual(stacksOf("cloud"));
  });

  it("when a workflow installs the Pulumi CLI, then it is the version of the SDK infra/ uses", () => {
    const infra = JSON.parse(readFileSync(repoPath("infra/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const catalog = (
      parseYaml(readFileSync(repoPath("pnpm-workspace.yaml"), "utf8")) as { catalog: Record<string, string> }
    ).catalog;
    const declared = infra.dependencies["@pulumi/pulumi"];
    const sdk = declared === "catalog:" ? catalog["@pulumi/pulumi"] : declared;
    expect(sdk).toMatch(/^\d+\.\d+\.\d+$/);
    const pinned = workflows.filter((w) => w.env?.PULUMI_VERSION !== undefined);
    expect(pinned.map((w) => w.file).sort()).toEqual([
      ".github/workflows/deploy.yml",
      ".github/workflows/preview.yml",
    ]);
    for (const wf of pinned) expect(wf.env?.PULUMI_VERSION, wf.file).toBe(sdk);
  });

  it("when the repository's shell scripts are checked by shellcheck, then it reports nothing", () => {
    const scripts = [
      ".github/scripts/*.sh",
      "tests/delivery/recipe.sh",
      "scripts/*.sh",
      "infra/scripts/*.sh",
      "scripts/cluster/cluster.sh",
      ".ci/run",
    ];
    const result = runTool("bash", ["-c", `shellcheck -x -P SCRIPTDIR ${scripts.join(" ")}`], repoRoot);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
