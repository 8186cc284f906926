/**
 * What each CI identity can actually do with Pulumi state and secrets, in the default layout (dev deploys into the
 * bootstrap project that holds the state bucket; prod has its own project and deploys after a reviewer approves).
 * IAM conditions and the Workload Identity provider are evaluated with a CEL evaluator (iam-model.ts), against the
 * objects the real Pulumi CLI touches (fixtures/state-paths.json) and the token claims GitHub documents.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { iamModel } from "./iam-model.js";
import { installMocks } from "./mocks.js";
import { accessesOf, COMMANDS } from "./state-paths.js";

const recorded = installMocks();
const { CiFoundation } = await import("../src/ci-foundation.js");
const { PULUMI_PROJECTS } = await import("../src/state-access.js");

const BOOTSTRAP = "ci-bootstrap-1";
const args = {
  project: BOOTSTRAP,
  region: "europe-west1",
  githubRepository: "example-org/gke-platform",
  githubRepositoryId: "260064828",
  githubOwnerId: "1342004",
  stacks: [
    { stack: "dev", project: BOOTSTRAP, environment: "staging", approval: false },
    { stack: "prod", project: "platform-prod-1", environment: "production", approval: true },
  ],
  registryRepositoryId: "platform",
};
const BUCKET = `${BOOTSTRAP}-pulumi-state`;
const POOL = "projects/123456789/locations/global/workloadIdentityPools/github";
const KEY = (stack: string) =>
  `projects/${BOOTSTRAP}/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-${stack}`;
const email = (id: string) => `${id}@${BOOTSTRAP}.iam.gserviceaccount.com`;
const member = (id: string) => `serviceAccount:${email(id)}`;

let iam: ReturnType<typeof iamModel>;
beforeAll(async () => {
  new CiFoundation("ci", args);
  // Every registration (the IAM bindings included) has reached the mocks once the outstanding RPCs are done.
  await pulumi.runtime.disconnect();
  iam = iamModel(recorded, BOOTSTRAP);
});

/** The accesses of `command` on `stack` (both Pulumi projects) that `who` is refused. */
const refused = (who: string, command: string, stack: string) =>
  PULUMI_PROJECTS.flatMap((project) => accessesOf(command, project, stack))
    .filter(([access, path]) => !iam.canAccessState(who, BUCKET, access, path))
    .map(([access, path]) => `${access} ${path}`);
/**
 * The reads, writes and deletes of `command` on objects of `stack` that `who` is allowed. Listing object names is
 * not reading them, and `meta.yaml` (the backend's layout version) belongs to no stack.
 */
const allowed = (who: string, command: string, stack: string) =>
  PULUMI_PROJECTS.flatMap((project) => accessesOf(command, project, stack))
    .filter(([access, path]) => access !== "list" && path !== ".pulumi/meta.yaml")
    .filter(([access, path]) => iam.canAccessState(who, BUCKET, access, path))
    .map(([access, path]) => `${access} ${path}`);

describe("Pulumi state: what the real CLI touches", () => {
  it.each(COMMANDS.flatMap((command) => ["dev", "prod"].map((stack) => [command, stack])))(
    "when a deployer runs `pulumi %s` on its %s stack, then the bucket IAM allows every object the CLI reads, writes, lists or deletes (its lock included)",
    (command, stack) => {
      expect(refused(member(`github-deploy-${stack}`), command, stack)).toEqual([]);
    },
  );

  it("when a pull request previews the dev stack, then the bucket IAM allows everything `pulumi preview` touches", () => {
    expect(refused(member("github-preview"), "preview", "dev")).toEqual([]);
  });
});

describe("Pulumi state: one stack's deployer and another's state", () => {
  it.each(COMMANDS)(
    "when dev deploys into the bootstrap project and runs `pulumi %s` against prod, then it can neither read, write nor delete any of prod's objects",
    (command) => {
      expect(allowed(member("github-deploy-dev"), command, "prod")).toEqual([]);
      expect(allowed(member("github-deploy-prod"), command, "dev")).toEqual([]);
    },
  );

  it("when a deployer decrypts secrets, then only its own stack's key", () => {
    expect(iam.canDecrypt(member("github-deploy-dev"), KEY("dev"))).toBe(true);
    expect(iam.canDecrypt(member("github-deploy-dev"), KEY("prod"))).toBe(false);
    expect(iam.canDecrypt(member("github-deploy-prod"), KEY("dev"))).toBe(false);
  });
});

/** Claims of GitHub's OIDC token as GitHub documents them, for this repository; `overrides` per kind of job. */
const token = (overrides: Record<string, string>): Record<string, string> => ({
  iss: "https://token.actions.githubusercontent.com",
  aud: "https://iam.googleapis.com/" + POOL + "/providers/github-actions",
  repository: args.githubRepository,
  repository_id: args.githubRepositoryId,
  repository_owner: "example-org",
  repository_owner_id: args.githubOwnerId,
  repository_visibility: "private",
  actor: "octocat",
  actor_id: "583231",
  workflow: "Infrastructure preview",
  run_id: "10001",
  run_number: "7",
  run_attempt: "1",
  runner_environment: "github-hosted",
  ref_type: "branch",
  sha: "4f2a9c1e0d3b5a6f7e8d9c0b1a2f3e4d5c6b7a89",
  ...overrides,
});
const PULL_REQUEST = token({
  sub: `repo:${args.githubRepository}:pull_request`,
  event_name: "pull_request",
  ref: "refs/pull/42/merge",
  head_ref: "feature/any-branch",
  base_ref: "main",
});
const PUSH_TO_MAIN = token({
  sub: `repo:${args.githubRepository}:ref:refs/heads/main`,
  event_name: "push",
  ref: "refs/heads/main",
  head_ref: "",
  base_ref: "",
});
const environmentJob = (environment: string, ref: string, event: string) =>
  token({
    sub: `repo:${args.githubRepository}:environment:${environment}`,
    environment,
    event_name: event,
    ref,
    head_ref: "",
    base_ref: "",
  });

describe("GitHub tokens: which identity each job gets, and what it can read", () => {
  it("when a pull request's job presents its token, then it becomes only the preview identity, which previews dev but can neither read prod's state nor decrypt prod's secrets", () => {
    expect(iam.impersonatedBy(PULL_REQUEST, POOL)).toEqual([email("github-preview")]);
    const preview = member("github-preview");
    expect(iam.canDecrypt(preview, KEY("dev"))).toBe(true);
    expect(iam.canDecrypt(preview, KEY("prod"))).toBe(false);
    for (const command of COMMANDS) expect(allowed(preview, command, "prod"), command).toEqual([]);
    // Read-only even where it may read: nothing of dev is written or deleted.
    expect(allowed(preview, "up --yes", "dev").filter((a) => !a.startsWith("read "))).toEqual([]);
  });

  it("when main is pushed, then the token becomes only the image pusher, which reads no state and decrypts nothing", () => {
    expect(iam.impersonatedBy(PUSH_TO_MAIN, POOL)).toEqual([email("github-images")]);
    const images = member("github-images");
    for (const stack of ["dev", "prod"]) {
      expect(iam.canDecrypt(images, KEY(stack))).toBe(false);
      expect(allowed(images, "up --yes", stack)).toEqual([]);
    }
  });

  it("when a job of the production environment runs on main, then it becomes only prod's deployer", () => {
    expect(iam.impersonatedBy(environmentJob("production", "refs/heads/main", "push"), POOL)).toEqual([
      email("github-deploy-prod"),
    ]);
    expect(
      iam.impersonatedBy(environmentJob("staging", "refs/heads/main", "workflow_dispatch"), POOL),
    ).toEqual([email("github-deploy-dev")]);
  });

  it("when a pull request's job names the production environment, then the provider rejects its token", () => {
    expect(
      iam.impersonatedBy(environmentJob("production", "refs/pull/42/merge", "pull_request"), POOL),
    ).toEqual([]);
  });

  it("when another repository's token arrives, then the provider rejects it", () => {
    expect(
      iam.impersonatedBy({ ...PULL_REQUEST, repository_id: "999", repository_owner_id: "998" }, POOL),
    ).toEqual([]);
  });
});
