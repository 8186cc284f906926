import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config.js";

/** Roles the deployer holds in each target project: what infra/ creates, and nothing broader (no owner/editor). */
export const DEPLOYER_ROLES = [
  "roles/artifactregistry.admin", // the images repository and its reader bindings; pushing images
  "roles/certificatemanager.editor", // certificate, map, DNS authorisation
  "roles/compute.networkAdmin", // network, subnet, router, NAT, global address
  "roles/compute.securityAdmin", // Cloud Armor policy, SSL policy, firewall rules
  "roles/container.admin", // the cluster, node pool, and every Kubernetes object (incl. RBAC)
  "roles/dns.admin", // DNS records for the gateway and the certificate
  "roles/iam.serviceAccountAdmin", // node and backup service accounts and their Workload Identity bindings
  "roles/iam.serviceAccountUser", // the node pool runs as the node service account
  "roles/monitoring.editor", // alert policies, notification channels, dashboards
  "roles/storage.admin", // the backup bucket and its bindings
] as const;

/** Project-level roles the deployer may grant (to the node service account); enforced by an IAM condition. */
export const GRANTABLE_ROLES = ["roles/container.defaultNodeServiceAccount"] as const;

/** APIs the infra program calls in each target project. */
export const TARGET_APIS = [
  "artifactregistry.googleapis.com",
  "certificatemanager.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "container.googleapis.com",
  "dns.googleapis.com",
  "iam.googleapis.com",
  "monitoring.googleapis.com",
  "storage.googleapis.com",
] as const;

/** APIs the bootstrap resources and keyless CI need in the bootstrap project. */
export const BOOTSTRAP_APIS = [
  "cloudkms.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "sts.googleapis.com",
  "storage.googleapis.com",
] as const;

/** `compute.googleapis.com` -> `compute`, for resource names. */
const serviceName = (api: string): string => api.slice(0, api.indexOf("."));

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** Arguments for {@link CiFoundation}: the validated bootstrap configuration. */
export type CiFoundationArgs = BootstrapConfig;

/**
 * What GitHub Actions needs to deploy without stored credentials: a versioned Pulumi state bucket, a KMS key for
 * Pulumi secrets, a Workload Identity pool whose GitHub provider only accepts tokens from one repository, and a
 * deployer service account that only that repository can impersonate, holding only the roles infra/ needs.
 */
export class CiFoundation extends pulumi.ComponentResource {
  readonly stateBucket: gcp.storage.Bucket;
  readonly secretsKey: gcp.kms.CryptoKey;
  readonly pool: gcp.iam.WorkloadIdentityPool;
  readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
  readonly deployer: gcp.serviceaccount.Account;
  /** Name -> value of the GitHub repository variables the workflows read. */
  readonly repositoryVariables: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CiFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:CiFoundation", name, {}, opts);
    if (!args.targetProjects.length) throw new pulumi.ResourceError("targetProjects must not be empty", this);
    const parent = { parent: this };

    const apis = BOOTSTRAP_APIS.map(
      (api) =>
        new gcp.projects.Service(
          `${name}-${serviceName(api)}`,
          { project: args.project, service: api, disableOnDestroy: false },
          parent,
        ),
    );
    const after = { parent: this, dependsOn: apis };

    this.stateBucket = new gcp.storage.Bucket(
      `${name}-state`,
      {
        project: args.project,
        name: `${args.project}-pulumi-state`,
        location: args.region,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        // Every state write is a new object version: a bad `pulumi up` or a deleted stack can be recovered.
        versioning: { enabled: true },
        lifecycleRules: [
          { action: { type: "Delete" }, condition: { numNewerVersions: 50, withState: "ARCHIVED" } },
        ],
        forceDestroy: false,
      },
      { ...after, protect: true },
    );

    const keyRing = new gcp.kms.KeyRing(
      `${name}-keyring`,
      { project: args.project, name: "pulumi", location: args.region },
      { ...after, protect: true },
    );
    this.secretsKey = new gcp.kms.CryptoKey(
      `${name}-secrets-key`,
      { name: "pulumi-secrets", keyRing: keyRing.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" },
      { parent: this, protect: true },
    );

    this.pool = new gcp.iam.WorkloadIdentityPool(
      `${name}-pool`,
      { project: args.project, workloadIdentityPoolId: "github", displayName: "GitHub Actions" },
      after,
    );
    this.provider = new gcp.iam.WorkloadIdentityPoolProvider(
      `${name}-github`,
      {
        project: args.project,
        workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: "github-actions",
        displayName: "GitHub Actions OIDC",
        oidc: { issuerUri: GITHUB_ISSUER },
        attributeMapping: {
          "google.subject": "assertion.sub",
          "attribute.repository": "assertion.repository",
          "attribute.ref": "assertion.ref",
        },
        // Tokens from any other repository are rejected before any binding is even considered.
        attributeCondition: `assertion.repository == "${args.githubRepository}"`,
      },
      parent,
    );

    this.deployer = new gcp.serviceaccount.Account(
      `${name}-deployer`,
      {
        project: args.project,
        accountId: "github-deployer",
        displayName: "GitHub Actions deployer",
        description: `Impersonated by ${args.githubRepository} workflows through Workload Identity Federation.`,
      },
      after,
    );
    const deployerMember = pulumi.interpolate`serviceAccount:${this.deployer.email}`;

    new gcp.serviceaccount.IAMMember(
      `${name}-deployer-wif`,
      {
        serviceAccountId: this.deployer.name,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.interpolate`principalSet://iam.googleapis.com/${this.pool.name}/attribute.repository/${args.githubRepository}`,
      },
      parent,
    );
    new gcp.storage.BucketIAMMember(
      `${name}-deployer-state`,
      { bucket: this.stateBucket.name, role: "roles/storage.objectAdmin", member: deployerMember },
      parent,
    );
    new gcp.kms.CryptoKeyIAMMember(
      `${name}-deployer-secrets`,
      {
        cryptoKeyId: this.secretsKey.id,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: deployerMember,
      },
      parent,
    );

    for (const target of args.targetProjects) {
      const enabled = TARGET_APIS.map(
        (api) =>
          new gcp.projects.Service(
            `${name}-${target}-${serviceName(api)}`,
            { project: target, service: api, disableOnDestroy: false },
            parent,
          ),
      );
      for (const role of DEPLOYER_ROLES) {
        new gcp.projects.IAMMember(
          `${name}-${target}-${role.replace("roles/", "")}`,
          { project: target, role, member: deployerMember },
          { parent: this, dependsOn: enabled },
        );
      }
      new gcp.projects.IAMMember(
        `${name}-${target}-grant-node-roles`,
        {
          project: target,
          role: "roles/resourcemanager.projectIamAdmin",
          member: deployerMember,
          condition: {
            title: "Only the node service account roles",
            description: "The deployer may grant these roles and no others.",
            expression: `api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${GRANTABLE_ROLES.map((r) => `'${r}'`).join(", ")}])`,
          },
        },
        { parent: this, dependsOn: enabled },
      );
    }

    this.repositoryVariables = pulumi
      .all([this.provider.name, this.deployer.email, this.stateBucket.name, this.secretsKey.id])
      .apply(([provider, email, bucket, keyId]): Record<string, string> => ({
        GCP_WORKLOAD_IDENTITY_PROVIDER: provider,
        GCP_DEPLOYER_SERVICE_ACCOUNT: email,
        GCP_REGION: args.region,
        PULUMI_BACKEND_URL: `gs://${bucket}`,
        PULUMI_SECRETS_PROVIDER: `gcpkms://${keyId}`,
        ARTIFACT_REGISTRIES: args.targetProjects
          .map((p) => `${args.region}-docker.pkg.dev/${p}/${args.registryRepositoryId}`)
          .join(" "),
      }));
    this.registerOutputs({ repositoryVariables: this.repositoryVariables });
  }
}

/** `gh variable set` commands that copy the variables into the repository. */
export function ghCommands(repository: string, variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([key, value]) => `gh variable set ${key} --repo ${repository} --body '${value}'`)
    .join("\n");
}
