import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoPath } from "../src/paths.js";
import { loadWorkflows, type Job, type Step } from "../src/workflows.js";

const workflows = loadWorkflows();
const workflow = (name: string) => workflows.find((w) => w.file === `.github/workflows/${name}`)!;
const release = workflow("release.yml");
const deploy = workflow("deploy.yml");
const preview = workflow("preview.yml");
const ci = workflow("ci.yml");

const uses = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) === true;
const stepUsing = (job: Job, action: string) => job.steps?.find((s) => uses(s, action));
const jobsWith = (predicate: (step: Step) => boolean) =>
  workflows.flatMap((wf) =>
    Object.entries(wf.jobs)
      .filter(([, job]) => job.steps?.some(predicate) === true)
      .map(([id, job]) => ({ where: `${wf.file} ${id}`, job })),
  );
/** Jobs needed by `id`, directly or through other jobs. */
function ancestors(jobs: Record<string, Job & { needs?: string | string[] }>, id: string): Set<string> {
  const found = new Set<string>();
  const visit = (name: string) => {
    const needs = jobs[name]?.needs;
    for (const need of typeof needs === "string" ? [needs] : (needs ?? [])) {
      if (!found.has(need)) {
        found.add(need);
        visit(need);
      }
    }
  };
  visit(id);
  return found;
}

describe("release and deploy workflows", () => {
  it("when an image is built, then no Google credentials file exists in the build context, and .dockerignore excludes the pattern", () => {
    const builders = jobsWith((s) => uses(s, "docker/build-push-action"));
    expect(builders.length).toBeGreaterThan(0);
    for (const { where, job } of builders) {
      expect(stepUsing(job, "google-github-actions/auth")?.with?.create_credentials_file, where).toBe(false);
    }
    const ignored = readFileSync(repoPath(".dockerignore"), "utf8").split("\n");
    expect(ignored).toContain("gha-creds-*.json");
  });

  it("when a job runs Pulumi against the cluster (preview, deploy), then gcloud with gke-gcloud-auth-plugin is installed", () => {
    const pulumiJobs = jobsWith(
      (s) => uses(s, "pulumi/actions") || /deploy\.sh|rollback\.sh|pulumi --cwd/.test(s.run ?? ""),
    );
    expect(pulumiJobs.map((j) => j.where).sort()).toEqual([
      ".github/workflows/deploy.yml deploy",
      ".github/workflows/preview.yml preview",
    ]);
    for (const { where, job } of pulumiJobs) {
      const components = stepUsing(job, "google-github-actions/setup-gcloud")?.with?.install_components;
      expect(typeof components === "string" ? components.split(/[\s,]+/) : [], where).toContain(
        "gke-gcloud-auth-plugin",
      );
    }
  });

  it("when the preview runs, then it previews both layers of each stack: infra/cloud, then infra/platform", () => {
    const dirs = preview.jobs
      .preview!.steps!.filter((s) => uses(s, "pulumi/actions"))
      .map((s) => s.with?.["work-dir"]);
    expect(dirs).toEqual(["infra/cloud", "infra/platform"]);
  });

  it("when jobs authenticate to Google Cloud, then each kind uses its own identity, and those are the variables bootstrap prints", () => {
    const accountOf = (job: Job) =>
      String(stepUsing(job, "google-github-actions/auth")?.with?.service_account);
    expect(accountOf(preview.jobs.preview!)).toBe("${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}");
    expect(accountOf(release.jobs.images!)).toBe("${{ vars.GCP_IMAGES_SERVICE_ACCOUNT }}");
    expect(accountOf(deploy.jobs.deploy!)).toBe("${{ vars.GCP_DEPLOYER_SERVICE_ACCOUNT }}");
    // The deployer variable is per GitHub environment, so only a job bound to one can read it.
    expect(deploy.jobs.deploy!.environment).toBeDefined();
    const bootstrap = readFileSync(repoPath("bootstrap/src/ci-foundation.ts"), "utf8");
    for (const name of [
      "GCP_PREVIEW_SERVICE_ACCOUNT",
      "GCP_IMAGES_SERVICE_ACCOUNT",
      "GCP_DEPLOYER_SERVICE_ACCOUNT",
    ])
      expect(bootstrap).toContain(`${name}:`);
    // Every variable a workflow reads is one bootstrap prints, or one of the optional ones docs/first-deploy.md
    // names (the release App, the first deploy's wait).
    const optional = ["RELEASE_APP_CLIENT_ID", "FIRST_DEPLOY_WAIT_SECONDS"];
    const read = new Set(
      workflows.flatMap((wf) =>
        [...readFileSync(repoPath(wf.file), "utf8").matchAll(/vars\.(\w+)/g)].map((m) => m[1]!),
      ),
    );
    expect(read).toContain("DEPLOY_STACKS");
    for (const name of [...read].filter((n) => !optional.includes(n)))
      expect(bootstrap, name).toContain(`${name}:`);
  });

  it("when Changesets runs, then the action's major is the one for the CLI's major (action v2 for CLI 3) with v2's inputs", () => {
    const root = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const cliMajor = Number(/\d+/.exec(root.devDependencies["@changesets/cli"] ?? "")?.[0]);
    const step = stepUsing(release.jobs.version!, "changesets/action")!;
    // Pinned by commit SHA with the release in a trailing comment (`uses: changesets/action@<sha> # v2.1.2`).
    const text = readFileSync(repoPath(".github/workflows/release.yml"), "utf8");
    const line = text.split("\n").find((l) => l.includes(`uses: ${step.uses!}`));
    const actionMajor = Number(/# v(\d+)\./.exec(line ?? "")?.[1]);
    expect({ cliMajor, actionMajor }).toEqual({ cliMajor: 3, actionMajor: 2 });
    expect(Object.keys(step.with ?? {}).sort()).toEqual([
      "commit-message",
      "create-github-releases",
      "github-token",
      "pr-title",
      "publish-script",
      "push-git-tags",
      "version-script",
    ]);
    expect(step.with?.["publish-script"]).toBe("pnpm exec changeset git-tag"); // `changeset tag` is gone in CLI 3
  });

  it("when a release is tagged, then only after every image is pushed (the action pushes no tags itself)", () => {
    const step = stepUsing(release.jobs.version!, "changesets/action")!;
    expect(step.with?.["push-git-tags"]).toBe(false);
    expect(step.with?.["create-github-releases"]).toBe(false);
    const tagging = Object.entries(release.jobs).filter(([, job]) =>
      job.steps?.some((s) => (s.run ?? "").includes("push-release-tags.sh")),
    );
    expect(tagging.map(([id]) => id)).toEqual(["tags"]);
    expect(ancestors(release.jobs, "tags")).toContain("images");
  });

  it("when main is pushed, then nothing is versioned, built or deployed before CI passed in the same run", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "workflow_call", "workflow_dispatch"]);
    expect(release.jobs.ci?.uses).toBe("./.github/workflows/ci.yml");
    for (const id of Object.keys(release.jobs).filter((j) => j !== "ci"))
      expect(ancestors(release.jobs, id), id).toContain("ci");
  });

  it("when runs overlap, then no concurrency group on the release path can cancel a release or a deploy", () => {
    expect(release.concurrency).toEqual({ group: "release", "cancel-in-progress": false });
    expect(deploy.jobs.deploy!.concurrency).toMatchObject({ "cancel-in-progress": false });
    // CI, called by the release on main, cancels superseded runs of pull requests only.
    expect(ci.concurrency).toMatchObject({ "cancel-in-progress": "${{ github.ref != 'refs/heads/main' }}" });
  });

  it("when a release job is re-run, then its digest artifact has a name unique to the run and app and is overwritten", () => {
    const upload = stepUsing(release.jobs.images!, "actions/upload-artifact")!;
    expect(upload.with?.name).toBe("digest-${{ github.run_id }}-${{ matrix.app.name }}");
    expect(upload.with?.overwrite).toBe(true);
    const download = stepUsing(deploy.jobs.deploy!, "actions/download-artifact")!;
    expect(download.with?.pattern).toBe("digest-${{ github.run_id }}-*");
  });

  it("when only infra/ changed, then the stacks are still deployed, with the cloud layer when it changed", () => {
    // deploy-stacks.test.ts runs the plan itself; here, that the deploy job takes both from it.
    expect(release.jobs.stacks!.steps!.find((s) => s.id === "plan")?.run).toContain("deploy-stacks.sh plan");
    const deployJob = release.jobs.deploy!;
    expect(deployJob.if).not.toContain("apps != '[]'");
    expect(deployJob.with?.cloud).toBe("${{ matrix.target.cloud }}");
  });

  it("when the Version Packages pull request is pushed with the default token, then CI is started on it by workflow_dispatch", () => {
    const step = release.jobs.version!.steps!.find((s) => (s.run ?? "").includes("gh workflow run ci.yml"));
    expect(step?.run).toContain("--ref changeset-release/main");
    expect((step as Step & { if?: string }).if).toContain("steps.app-token.outcome != 'success'");
    expect(release.jobs.version!.permissions).toMatchObject({ actions: "write" });
  });

  it("when a deploy ends, then the images that run are recorded on main and the smoke test gets the Gateway IP and a first-deploy wait", () => {
    const steps = deploy.jobs.deploy!.steps!;
    const record = steps.find((s) => (s.run ?? "").includes("record-images.sh"));
    expect(record).toBeDefined();
    const smoke = steps.find((s) => (s.run ?? "").includes("smoke-test.sh")) as Step & {
      env?: Record<string, string>;
    };
    expect(smoke.env?.SMOKE_RESOLVE_IP).toBe("${{ steps.deploy.outputs.gateway_ip }}");
    expect(smoke.env?.SMOKE_WAIT_SECONDS).toContain("steps.deploy.outputs.first_deploy == 'true'");
  });
});
