import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type Recorded } from "./mocks.js";

const recorded: Recorded[] = installMocks();
const { CiFoundation, DEPLOYER_ROLES } = await import("../src/ci-foundation.js");

const REPO = "example-org/gke-platform";
const args = {
  project: "ci-bootstrap-1",
  region: "europe-west1",
  githubRepository: REPO,
  targetProjects: ["platform-dev-1", "platform-prod-1"],
  registryRepositoryId: "platform",
};
let variables: Record<string, string>;

const ofType = (suffix: string) => recorded.filter((r) => r.type.endsWith(suffix));

beforeAll(async () => {
  const foundation = new CiFoundation("ci", args);
  variables = await valueOf(foundation.repositoryVariables);
});

describe("CI foundation (bootstrap)", () => {
  it("when a GitHub token arrives, then the provider accepts only this repository's workflows", () => {
    const [provider] = ofType(":WorkloadIdentityPoolProvider");
    expect(provider?.inputs.attributeCondition).toBe(`assertion.repository == "${REPO}"`);
    expect(provider?.inputs.oidc).toEqual({ issuerUri: "https://token.actions.githubusercontent.com" });
  });

  it("when the deployer is impersonated, then only principals of this repository may do it", () => {
    const bindings = ofType("serviceaccount/iAMMember:IAMMember");
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.inputs.role).toBe("roles/iam.workloadIdentityUser");
    expect(String(bindings[0]?.inputs.member)).toMatch(new RegExp(`/attribute\\.repository/${REPO}$`));
  });

  it("when roles are granted, then none is owner, editor or an unconditional IAM admin role", () => {
    const grants = ofType("projects/iAMMember:IAMMember");
    for (const grant of grants) {
      expect(grant.inputs.role).not.toMatch(/^roles\/(owner|editor|viewer)$/);
      if (grant.inputs.role === "roles/resourcemanager.projectIamAdmin") {
        expect(JSON.stringify(grant.inputs.condition)).toContain("modifiedGrantsByRole");
      }
    }
    const perProject = args.targetProjects.map((p) =>
      grants.filter((g) => g.inputs.project === p).map((g) => g.inputs.role),
    );
    for (const roles of perProject)
      expect(roles.sort()).toEqual([...DEPLOYER_ROLES, "roles/resourcemanager.projectIamAdmin"].sort());
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
    const stateAccess = ofType("storage/bucketIAMMember:BucketIAMMember");
    expect(stateAccess.map((b) => b.inputs.role)).toEqual(["roles/storage.objectAdmin"]);
  });

  it("when Pulumi encrypts secrets, then it uses a rotating KMS key the deployer may only encrypt and decrypt with", () => {
    const [key] = ofType("kms/cryptoKey:CryptoKey");
    expect(key?.inputs).toMatchObject({ purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" });
    expect(ofType("kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((b) => b.inputs.role)).toEqual([
      "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    ]);
  });

  it("when the bootstrap finishes, then it prints every repository variable the workflows read", () => {
    expect(variables).toEqual({
      GCP_WORKLOAD_IDENTITY_PROVIDER:
        "projects/123456789/locations/global/workloadIdentityPools/github/providers/github-actions",
      GCP_DEPLOYER_SERVICE_ACCOUNT: "github-deployer@ci-bootstrap-1.iam.gserviceaccount.com",
      GCP_REGION: "europe-west1",
      PULUMI_BACKEND_URL: "gs://ci-bootstrap-1-pulumi-state",
      PULUMI_SECRETS_PROVIDER:
        "gcpkms://projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets",
      ARTIFACT_REGISTRIES:
        "europe-west1-docker.pkg.dev/platform-dev-1/platform europe-west1-docker.pkg.dev/platform-prod-1/platform",
    });
  });
});
