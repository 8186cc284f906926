import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isScalar, parseDocument, visit } from "yaml";
import { isolatedGitEnv } from "../src/git-env.js";
import { repoPath } from "../src/paths.js";
import { runWorkflowStep } from "../src/workflow-step.js";
import { loadWorkflows } from "../src/workflows.js";

const workflows = loadWorkflows();
const workflow = (name: string) => workflows.find((w) => w.file === `.github/workflows/${name}`)!;
const release = workflow("release.yml");
const deploy = workflow("deploy.yml");
const preview = workflow("preview.yml");

const registry = (stack: string) => `europe-west1-docker.pkg.dev/platform-${stack}-1/platform`;
/** DEPLOY_STACKS as bootstrap writes it (bootstrap/test/ci-foundation.test.ts checks that form). */
const deployStacks = (...stacks: [stack: string, environment: string, approval: boolean][]) =>
  JSON.stringify(
    stacks.map(([stack, environment, approval]) => ({
      stack,
      environment,
      approval,
      registry: registry(stack),
    })),
  );
const DEV = ["dev", "staging", false] as const satisfies [string, string, boolean];
const PROD = ["prod", "production", true] as const satisfies [string, string, boolean];
const RELEASED = JSON.stringify([{ name: "app-a", version: "1.2.0" }]);

/**
 * A checkout of main with the delivery scripts, a bare origin, and a fake `gcloud` on PATH that answers
 * `artifacts repositories describe` as Artifact Registry does: the repository, NOT_FOUND for the projects in
 * `missing`, PERMISSION_DENIED for those in `denied`.
 */
function checkout(gcloud: { missing?: string[]; denied?: string[] } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), "deploy-stacks-"));
  const dir = path.join(root, "work");
  const remote = path.join(root, "remote.git");
  const bin = path.join(root, "bin");
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, "gcloud"),
    `#!/usr/bin/env bash
project=$(sed -n 's/.*--project \\([^ ]*\\).*/\\1/p' <<<"$*")
case " ${(gcloud.missing ?? []).join(" ")} " in *" $project "*)
  echo "ERROR: (gcloud.artifacts.repositories.describe) NOT_FOUND: Requested entity was not found." >&2; exit 1 ;;
esac
case " ${(gcloud.denied ?? []).join(" ")} " in *" $project "*)
  echo "ERROR: (gcloud.artifacts.repositories.describe) PERMISSION_DENIED: Permission denied." >&2; exit 1 ;;
esac
echo "projects/$project/locations/europe-west1/repositories/platform"
`,
  );
  chmodSync(path.join(bin, "gcloud"), 0o755);
  const env = isolatedGitEnv({ PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: root });
  const git = (...args: string[]) => {
    const result = spawnSync("git", args, { cwd: dir, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  };
  const commit = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    git("add", "-A");
    git("commit", "--quiet", "-m", "change");
  };
  mkdirSync(dir);
  spawnSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", remote], { env });
  git("init", "--quiet", "--initial-branch=main");
  for (const script of ["deploy-stacks.sh", "changed-layers.sh"]) {
    mkdirSync(path.join(dir, ".github/scripts"), { recursive: true });
    copyFileSync(repoPath(`.github/scripts/${script}`), path.join(dir, `.github/scripts/${script}`));
  }
  commit({ "infra/src/cloud/index.ts": "1\n", "infra/src/platform/index.ts": "1\n" });
  git("remote", "add", "origin", remote);
  git("push", "--quiet", "origin", "main");
  /** Marks HEAD as deployed to the stack, as deploy.yml does after a successful deploy. */
  const deployed = (stack: string) => {
    git("tag", "--force", `deployed/${stack}`);
    git("push", "--quiet", "--force", "origin", `deployed/${stack}`);
  };
  /** The release's `stacks` job step, as written in release.yml. */
  const plan = (stacks: string, apps: string) =>
    runWorkflowStep("release.yml", "stacks", "plan", {
      cwd: dir,
      env,
      values: { "vars.DEPLOY_STACKS": stacks, "needs.version.outputs.apps": apps },
    });
  return { dir, env, commit, deployed, plan };
}

/** Every scalar value of a workflow (keys, descriptions and comments aside), with the path it sits at. */
function values(file: string): { at: string; value: string }[] {
  const found: { at: string; value: string }[] = [];
  visit(parseDocument(readFileSync(repoPath(file), "utf8")), {
    Scalar(_, node, ancestors) {
      const keys = ancestors.flatMap((a) => ("key" in a && isScalar(a.key) ? [String(a.key.value)] : []));
      const parent = ancestors.at(-1);
      const isKey = parent !== undefined && "key" in parent && parent.key === node;
      if (!isKey && keys.at(-1) !== "description")
        found.push({ at: keys.join("."), value: String(node.value) });
    },
  });
  return found;
}

describe("the stacks the workflows deploy come from DEPLOY_STACKS (bootstrap's `stacks`)", () => {
  it("when the workflows are read, then none names a stack or a GitHub environment: those come from DEPLOY_STACKS", () => {
    for (const wf of workflows) {
      // A stack or environment name as a word (not a path or host part such as /dev/null or docker.pkg.dev).
      const named = values(wf.file).filter(({ value }) =>
        /(?<![./\w-])(dev|prod|staging|production)(?![\w-])/.test(value),
      );
      expect(named, wf.file).toEqual([]);
    }
    // What does name them: the stacks job of the release, the environment job of the deploy, the preview's list.
    const stacksRead = workflows.flatMap((wf) =>
      Object.entries(wf.jobs).flatMap(([id, job]) =>
        (job.steps ?? []).filter((s) => s.env?.DEPLOY_STACKS !== undefined).map(() => `${wf.file} ${id}`),
      ),
    );
    expect(stacksRead.sort()).toEqual([
      ".github/workflows/deploy.yml target",
      ".github/workflows/preview.yml stacks",
      ".github/workflows/release.yml stacks",
    ]);
  });

  it("when DEPLOY_STACKS lists dev alone (a team that starts with one stack), then a release pushes to dev's repository alone and deploys dev alone", () => {
    const repo = checkout();
    const run = repo.plan(deployStacks(DEV), RELEASED);
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.get("registries")).toBe(registry("dev"));
    expect(JSON.parse(run.outputs.get("deploys")!)).toEqual([{ stack: "dev", cloud: true }]);
    // ... and those outputs are what the images and deploy jobs use.
    const names = release.jobs.images!.steps!.find((s) => s.id === "names")!;
    expect(names.env?.REGISTRIES).toBe("${{ needs.stacks.outputs.registries }}");
    expect(release.jobs.deploy!.strategy?.matrix).toEqual({
      target: "${{ fromJSON(needs.stacks.outputs.deploys) }}",
    });
    expect(release.jobs.deploy!.with).toMatchObject({ stack: "${{ matrix.target.stack }}" });
  });

  it("when a later stack's images repository does not exist yet (its cloud layer has not run), then the release pushes nothing there and does not deploy it, and a notice names it", () => {
    const repo = checkout({ missing: ["platform-prod-1"] });
    const run = repo.plan(deployStacks(DEV, PROD), RELEASED);
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.get("registries")).toBe(registry("dev"));
    expect(JSON.parse(run.outputs.get("deploys")!)).toEqual([{ stack: "dev", cloud: true }]);
    expect(run.stderr).toMatch(
      new RegExp(`^::notice title=Stack prod not created yet::${registry("prod")} does not exist`, "m"),
    );
  });

  it("when Artifact Registry refuses to say whether a repository exists, then the release stops instead of skipping that stack", () => {
    const repo = checkout({ denied: ["platform-prod-1"] });
    const run = repo.plan(deployStacks(DEV, PROD), RELEASED);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("PERMISSION_DENIED");
    expect(run.stderr).toMatch(/^::error /m);
  });

  it("when several stacks exist, then each with a released app or an infra change is deployed, in DEPLOY_STACKS order, one after the other, a failure stopping the later ones", () => {
    const repo = checkout();
    const stacks = deployStacks(DEV, PROD);
    const deploys = (apps = "[]") => JSON.parse(repo.plan(stacks, apps).outputs.get("deploys")!) as unknown;
    expect(deploys(RELEASED)).toEqual([
      { stack: "dev", cloud: true },
      { stack: "prod", cloud: true },
    ]);
    repo.deployed("dev");
    repo.deployed("prod");
    expect(deploys()).toEqual([]);
    expect(deploys(RELEASED)).toEqual([
      { stack: "dev", cloud: false },
      { stack: "prod", cloud: false },
    ]);
    repo.commit({ "infra/platform/Pulumi.prod.yaml": "config:\n  gke-platform:minReplicas: 3\n" }); // prod's own setting
    expect(deploys()).toEqual([{ stack: "prod", cloud: false }]);
    repo.commit({ "infra/src/cloud/index.ts": "2\n" });
    expect(deploys()).toEqual([
      { stack: "dev", cloud: true },
      { stack: "prod", cloud: true },
    ]);
    // The matrix runs its jobs in the order of its values; one at a time, and fail-fast cancels the queued ones.
    const job = release.jobs.deploy!;
    expect(job.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true });
    expect(job.needs).toEqual(expect.arrayContaining(["stacks", "tags"]));
    expect(job.if).toContain("needs.stacks.outputs.deploys != '[]'");
    expect(job.with?.cloud).toBe("${{ matrix.target.cloud }}");
  });

  it("when DEPLOY_STACKS is not set (bootstrap's variables not copied yet), then the release stops and says how to set it", () => {
    const repo = checkout();
    const run = repo.plan("", RELEASED);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/::error title=DEPLOY_STACKS::.*setRepositoryVariables/);
    const malformed = repo.plan(JSON.stringify([{ stack: "dev" }]), RELEASED);
    expect(malformed.status).not.toBe(0);
    expect(malformed.stderr).toContain("{stack, environment, approval, registry}");
  });

  it("when a stack is deployed (by the release or by hand), then its GitHub environment is the one DEPLOY_STACKS gives, and a stack not listed is refused", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "deploy-target-"));
    mkdirSync(path.join(dir, ".github/scripts"), { recursive: true });
    copyFileSync(
      repoPath(".github/scripts/deploy-stacks.sh"),
      path.join(dir, ".github/scripts/deploy-stacks.sh"),
    );
    const target = (stack: string, stacks = deployStacks(DEV, PROD)) =>
      runWorkflowStep("deploy.yml", "target", "stack", {
        cwd: dir,
        env: { PATH: process.env.PATH },
        values: { "vars.DEPLOY_STACKS": stacks, "inputs.stack": stack },
      });
    expect(target("prod").outputs.get("environment")).toBe("production");
    expect(target("dev").outputs.get("environment")).toBe("staging");
    const unknown = target("prod", deployStacks(DEV));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("no stack 'prod' in DEPLOY_STACKS; the stacks are: dev");
    const job = deploy.jobs.deploy!;
    expect(job.needs).toBe("target");
    expect(job.environment).toMatchObject({ name: "${{ needs.target.outputs.environment }}" });
    // A choice input's options cannot come from a variable, so the stack is typed and checked by `target`.
    const dispatch = deploy.on.workflow_dispatch as {
      inputs: Record<string, { type: string; options?: unknown }>;
    };
    expect(dispatch.inputs.stack).toMatchObject({ type: "string" });
    expect(dispatch.inputs.stack?.options).toBeUndefined();
  });

  it("when a pull request touches infra/, then every stack of DEPLOY_STACKS that needs no approval is previewed, and no other", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "preview-stacks-"));
    mkdirSync(path.join(dir, ".github/scripts"), { recursive: true });
    copyFileSync(
      repoPath(".github/scripts/deploy-stacks.sh"),
      path.join(dir, ".github/scripts/deploy-stacks.sh"),
    );
    const previewed = (stacks: string) =>
      runWorkflowStep("preview.yml", "stacks", "stacks", {
        cwd: dir,
        env: { PATH: process.env.PATH },
        values: { "vars.DEPLOY_STACKS": stacks },
      }).outputs.get("stacks");
    expect(previewed(deployStacks(DEV, PROD))).toBe('["dev"]');
    expect(previewed(deployStacks(DEV, ["qa", "qa", false], PROD))).toBe('["dev","qa"]');
    expect(previewed(deployStacks(PROD))).toBe("[]");
    expect(preview.jobs.preview!.strategy?.matrix).toEqual({
      stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}",
    });
    expect(preview.jobs.preview!.if).toContain("needs.stacks.outputs.stacks != '[]'");
  });
});
