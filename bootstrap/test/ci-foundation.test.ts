import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type Recorded } from "./mocks.js";

const recorded: Recorded[] = installMocks();
const { CiFoundation, DEPLOYER_ROLES, PREVIEW_ROLES, TARGET_APIS } = await import("../src/ci-foundation.js");

const REPO = "example-org/gke-platform";
const args = {
  project: "ci-bootstrap-1",
  region: "europe-west1",
  githubRepository: REPO,
  githubRepositoryId: "260064828",
  githubOwnerId: "1342004",
  stacks: [
    { stack: "dev", project: "platform-dev-1", environment: "staging", approval: false },
    { stack: "prod", project: "platform-prod-1", environment: "production", approval: true },
  ],
  registryRepositoryId: "platform",
};
const POOL = "projects/123456789/locations/global/workloadIdentityPools/github";
let variables: Record<string, string>;
let environments: Record<string, Record<string, string>>;
let secretsProviders: Record<string, string>;

const ofType = (suffix: string) => recorded.filter((r) => r.type.endsWith(suffix));
const email = (id: string, project = args.project) => `${id}@${project}.iam.gserviceaccount.com`;
const member = (id: string, project = args.project) => `serviceAccount:${email(id, project)}`;
/** Who may impersonate the service account with this account ID (its workloadIdentityUser members). */
const impersonators = (accountId: string) =>
  ofType("serviceaccount/iAMMember:IAMMember")
    .filter(
      (b) =>
        b.inputs.role === "roles/iam.workloadIdentityUser" &&
        String(b.inputs.serviceAccountId).endsWith(`/${email(accountId)}`),
    )
    .map((b) => String(b.inputs.member));
const projectRoles = (who: string, project: string) =>
  ofType("projects/iAMMember:IAMMember")
    .filter((g) => g.inputs.member === who && g.inputs.project === project)
    .map((g) => String(g.inputs.role))
    .sort();

beforeAll(async () => {
  const foundation = new CiFoundation("ci", args);
  variables = await valueOf(foundation.repositoryVariables);
  environments = await valueOf(foundation.environmentVariables);
  secretsProviders = await valueOf(foundation.secretsProviders);
});

describe("CI foundation (bootstrap)", () => {
  it("when a GitHub token arrives, then the provider accepts only this repository by its numeric IDs, and environment jobs only from main", () => {
    const [provider] = ofType(":WorkloadIdentityPoolProvider");
    expect(provider?.inputs.attributeCondition).toBe(
      "assertion.repository_id == '260064828' && assertion.repository_owner_id == '1342004' && " +
        "(!assertion.sub.contains(':environment:') || assertion.ref == 'refs/heads/main')",
    );
    expect(provider?.inputs.attributeMapping).toMatchObject({ "google.subject": "assertion.sub" });
    expect(provider?.inputs.oidc).toEqual({ issuerUri: "https://token.actions.githubusercontent.com" });
  });

  it("when identities are impersonated, then preview, image push and each stack's deploy have their own, each bound to one kind of job", () => {
    const subject = (sub: string) => [`principal://iam.googleapis.com/${POOL}/subject/repo:${REPO}:${sub}`];
    expect(impersonators("github-preview")).toEqual(subject("pull_request"));
    expect(impersonators("github-images")).toEqual(subject("ref:refs/heads/main"));
    expect(impersonators("github-deploy-dev")).toEqual(subject("environment:staging"));
    expect(impersonators("github-deploy-prod")).toEqual(subject("environment:production"));
    // No binding admits a whole repository (any branch, any pull request) any more.
    for (const b of ofType("serviceaccount/iAMMember:IAMMember"))
      expect(String(b.inputs.member)).not.toContain("principalSet");
  });

  it("when the cloud layer enables the APIs it uses, then bootstrap has turned each on and lets the deployer enable them", async () => {
    // The cloud layer's own list (infra/cloud), read from its source so the two cannot drift apart.
    const { REQUIRED_APIS } = await import("../../infra/src/cloud/components/apis.js");
    expect([...TARGET_APIS].sort()).toEqual(expect.arrayContaining([...REQUIRED_APIS].sort()));
    expect(DEPLOYER_ROLES).toContain("roles/serviceusage.serviceUsageAdmin");
  });

  it("when a CI identity calls Resource Manager or Service Usage, then both APIs are on in the project its calls are billed to (its service account's own project)", () => {
    const enabledIn = (project: string) =>
      ofType("projects/service:Service")
        .filter((s) => s.inputs.project === project)
        .map((s) => s.inputs.service);
    const ciAccounts = ofType("serviceaccount/account:Account").filter((a) =>
      String(a.inputs.accountId).startsWith("github-"),
    );
    expect(ciAccounts.map((a) => a.inputs.accountId)).toContain("github-preview");
    for (const account of ciAccounts) {
      expect(enabledIn(String(account.inputs.project)), String(account.inputs.accountId)).toEqual(
        expect.arrayContaining(["cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com"]),
      );
    }
  });

  it("when a stack's deployer acts, then it holds only its own project's roles and cannot act as any other service account", () => {
    const dev = member("github-deploy-dev");
    expect(projectRoles(dev, "platform-dev-1")).toEqual([...DEPLOYER_ROLES].sort());
    expect(projectRoles(dev, "platform-prod-1")).toEqual([]);
    const everyGrant = ofType("projects/iAMMember:IAMMember").map((g) => String(g.inputs.role));
    for (const role of everyGrant) {
      expect(role).not.toMatch(
        /^roles\/(owner|editor|viewer|iam\.serviceAccount(User|Admin|TokenCreator)|resourcemanager\.projectIamAdmin)$/,
      );
    }
    // actAs only on the node pool's account, setIamPolicy only on the backup job's account, both in its project.
    const onAccounts = ofType("serviceaccount/iAMMember:IAMMember")
      .filter((b) => b.inputs.member === dev)
      .map((b) => [b.inputs.role, String(b.inputs.serviceAccountId)]);
    expect(onAccounts).toEqual([
      [
        "roles/iam.serviceAccountUser",
        `projects/platform-dev-1/serviceAccounts/${email("gke-dev-nodes", "platform-dev-1")}`,
      ],
      [
        "roles/iam.serviceAccountAdmin",
        `projects/platform-dev-1/serviceAccounts/${email("gke-dev-backup", "platform-dev-1")}`,
      ],
    ]);
  });

  it("when a pull request previews, then its identity only reads, and only the stacks whose deploys need no approval", () => {
    const preview = member("github-preview");
    expect(projectRoles(preview, "platform-dev-1")).toEqual([...PREVIEW_ROLES].sort());
    expect(projectRoles(preview, "platform-prod-1")).toEqual([]);
    for (const role of PREVIEW_ROLES) expect(role).toMatch(/(reader|viewer|Viewer|Reviewer)$/);
    const state = ofType("storage/bucketIAMMember:BucketIAMMember").filter(
      (b) => b.inputs.member === preview,
    );
    expect(state.map((b) => b.inputs.role)).toEqual(["roles/storage.objectViewer"]);
    const keys = ofType("kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter(
      (b) => b.inputs.member === preview,
    );
    expect(keys.map((b) => [b.inputs.role, String(b.inputs.cryptoKeyId).split("/").pop()])).toEqual([
      ["roles/cloudkms.cryptoKeyDecrypter", "pulumi-secrets-dev"],
    ]);
  });

  it("when images are pushed, then that identity may write only to the images repository of each target project", () => {
    const images = member("github-images");
    const grants = ofType("projects/iAMMember:IAMMember").filter((g) => g.inputs.member === images);
    expect(grants.map((g) => [g.inputs.project, g.inputs.role])).toEqual([
      ["platform-dev-1", "roles/artifactregistry.writer"],
      ["platform-prod-1", "roles/artifactregistry.writer"],
    ]);
    expect(JSON.stringify(grants[0]?.inputs.condition)).toContain(
      "projects/platform-dev-1/locations/europe-west1/repositories/platform",
    );
  });

  it("when a deployer writes Pulumi state, then only its own stack's objects and its own stack's KMS key", () => {
    const dev = member("github-deploy-dev");
    const [state] = ofType("storage/bucketIAMMember:BucketIAMMember").filter((b) => b.inputs.member === dev);
    const expression = (state?.inputs.condition as { expression: string }).expression;
    expect(expression).toContain('/objects/.pulumi/stacks/gke-platform/dev.json")');
    expect(expression).toContain('/objects/.pulumi/locks/organization/gke-cloud/dev/")');
    expect(expression).not.toContain("prod");
    const keys = ofType("kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter((b) => b.inputs.member === dev);
    expect(keys.map((k) => String(k.inputs.cryptoKeyId))).toEqual([
      "projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-dev",
    ]);
  });

  it("when the bootstrap runs, then no service account key is created", () => {
    expect(recorded.filter((r) => r.type.startsWith("gcp:serviceaccount/key:"))).toEqual([]);
  });

  it("when state is written, then the bucket is versioned, uniformly controlled and never public", () => {
    const [bucket] = ofType("storage/bucket:Bucket");
    expect(bucket?.inputs).toMatchObject({
      versioning: { enabled: true },
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
    });
  });

  it("when Pulumi encrypts secrets, then each stack has its own rotating KMS key", () => {
    const keys = ofType("kms/cryptoKey:CryptoKey");
    expect(keys.map((k) => k.inputs.name)).toEqual(["pulumi-secrets-dev", "pulumi-secrets-prod"]);
    for (const key of keys)
      expect(key.inputs).toMatchObject({ purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" });
    expect(secretsProviders).toEqual({
      dev: "gcpkms://projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-dev",
      prod: "gcpkms://projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets-prod",
    });
  });

  it("when the bootstrap finishes, then it prints every repository and environment variable the workflows read", () => {
    expect(variables).toEqual({
      GCP_WORKLOAD_IDENTITY_PROVIDER: `${POOL}/providers/github-actions`,
      GCP_PREVIEW_SERVICE_ACCOUNT: email("github-preview"),
      GCP_IMAGES_SERVICE_ACCOUNT: email("github-images"),
      GCP_REGION: "europe-west1",
      PULUMI_BACKEND_URL: "gs://ci-bootstrap-1-pulumi-state",
      DEPLOY_STACKS: expect.any(String) as string,
    });
    // The stacks in promotion order, each with its environment, approval and images repository: what the
    // workflows read instead of naming any stack or environment themselves.
    expect(JSON.parse(variables.DEPLOY_STACKS!)).toEqual([
      {
        stack: "dev",
        environment: "staging",
        approval: false,
        registry: "europe-west1-docker.pkg.dev/platform-dev-1/platform",
      },
      {
        stack: "prod",
        environment: "production",
        approval: true,
        registry: "europe-west1-docker.pkg.dev/platform-prod-1/platform",
      },
    ]);
    expect(environments).toEqual({
      staging: { GCP_DEPLOYER_SERVICE_ACCOUNT: email("github-deploy-dev") },
      production: { GCP_DEPLOYER_SERVICE_ACCOUNT: email("github-deploy-prod") },
    });
  });
});
