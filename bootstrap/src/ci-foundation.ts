import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig, DeployTarget } from "./config.js";
import {
  notPulumiKeyRingCondition,
  notStateBucketCondition,
  stackPreviewCondition,
  stackStateCondition,
} from "./state-access.js";

/**
 * Roles each stack's deployer holds in that stack's project only: what infra/cloud and infra/platform create,
 * and nothing broader (no owner/editor). No project-level service account role: the deployer cannot act as, or
 * change the IAM policy of, any service account of the project; it acts as the node service account alone, and
 * may set the policy of the backup service account alone (both created here, see below).
 */
export const DEPLOYER_ROLES = [
  "roles/artifactregistry.admin", // the images repository and its reader bindings
  "roles/certificatemanager.editor", // certificate, map, DNS authorisation
  "roles/cloudkms.admin", // the cluster's secrets-encryption key ring and key and their IAM (cannot use keys)
  "roles/compute.networkAdmin", // network, subnet, router, NAT, global address
  "roles/compute.securityAdmin", // Cloud Armor policy, SSL policy, firewall rules
  "roles/container.admin", // the cluster, node pool, and every Kubernetes object (incl. RBAC)
  "roles/dns.admin", // DNS records for the gateway and the certificate
  "roles/monitoring.editor", // alert policies, notification channels, dashboards
  "roles/serviceusage.serviceUsageAdmin", // the cloud layer enables the APIs it uses (infra/cloud apis.ts)
  "roles/storage.admin", // the backup bucket and its bindings
] as const;

/** Read-only roles of the preview identity in every target project: enough for `pulumi preview` of both layers. */
export const PREVIEW_ROLES = [
  "roles/artifactregistry.reader",
  "roles/certificatemanager.viewer",
  "roles/cloudkms.viewer",
  "roles/compute.viewer",
  "roles/container.viewer",
  "roles/dns.reader",
  "roles/iam.securityReviewer", // reads IAM policies (the program's bindings) without changing any
  "roles/monitoring.viewer",
  "roles/storage.bucketViewer",
] as const;

/** Project roles the node service account needs; granted here, so the deployer needs no project IAM admin. */
export const NODE_ROLES = ["roles/container.defaultNodeServiceAccount"] as const;

/** APIs the infra program calls in each target project. */
export const TARGET_APIS = [
  "artifactregistry.googleapis.com",
  "certificatemanager.googleapis.com",
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "container.googleapis.com",
  "dns.googleapis.com",
  "iam.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "storage.googleapis.com",
] as const;

/**
 * APIs the bootstrap resources and keyless CI need in the bootstrap project. CI acts as service accounts of this
 * project, and Google bills (and checks the API is on in) the caller's project for the client-based APIs, Resource
 * Manager and Service Usage, whatever project the call is about: without both here, the infra stacks' first
 * project IAM read or API enablement from CI fails with "API has not been used in project <bootstrap>".
 */
export const BOOTSTRAP_APIS = [
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "serviceusage.googleapis.com",
  "sts.googleapis.com",
  "storage.googleapis.com",
] as const;

/** `compute.googleapis.com` -> `compute`, for resource names. */
const serviceName = (api: string): string => api.slice(0, api.indexOf("."));

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The provider's attribute condition: only tokens of this repository, by GitHub's numeric IDs (names can be
 * re-registered by someone else after a rename or deletion), and a job bound to a GitHub environment only when it
 * runs on main (an environment's `sub` claim names no branch, so the branch is checked here).
 */
export function attributeCondition(repositoryId: string, ownerId: string): string {
  return [
    `assertion.repository_id == '${repositoryId}'`,
    `assertion.repository_owner_id == '${ownerId}'`,
    `(!assertion.sub.contains(':environment:') || assertion.ref == 'refs/heads/main')`,
  ].join(" && ");
}

/** Arguments for {@link CiFoundation}: the validated bootstrap configuration. */
export type CiFoundationArgs = BootstrapConfig;

/** What exists per infra stack. */
export interface StackIdentities {
  readonly target: DeployTarget;
  /** Deploys this stack only; impersonable only by jobs of the stack's GitHub environment on main. */
  readonly deployer: gcp.serviceaccount.Account;
  /** Pulumi secrets of this stack (infra/cloud and infra/platform): `gcpkms://<id>`. */
  readonly secretsKey: gcp.kms.CryptoKey;
  /** The node pool's identity; the deployer may act as it, and as nothing else. */
  readonly nodeServiceAccount: gcp.serviceaccount.Account;
  /** The backup job's identity (Workload Identity); the deployer may set its IAM policy, no other's. */
  readonly backupServiceAccount: gcp.serviceaccount.Account;
}

/**
 * What GitHub Actions needs to deploy without stored credentials: a versioned Pulumi state bucket, a KMS key per
 * stack for Pulumi secrets, a Workload Identity pool whose GitHub provider only accepts tokens from one repository,
 * and one service account per job kind, each impersonable only by the jobs that need it:
 *
 * | identity               | who (token `sub`)                         | may                                            |
 * | ---------------------- | ----------------------------------------- | ---------------------------------------------- |
 * | github-preview         | `repo:<repo>:pull_request`                | read the stacks that need no approval          |
 * | github-images          | `repo:<repo>:ref:refs/heads/main`         | push to the images repository of each target   |
 * | github-deploy-<stack>  | `repo:<repo>:environment:<environment>`   | deploy that stack in its project (main only)   |
 */
export class CiFoundation extends pulumi.ComponentResource {
  readonly stateBucket: gcp.storage.Bucket;
  readonly pool: gcp.iam.WorkloadIdentityPool;
  readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
  readonly preview: gcp.serviceaccount.Account;
  readonly images: gcp.serviceaccount.Account;
  readonly stacks: readonly StackIdentities[];
  /** Name -> value of the GitHub repository variables the workflows read. */
  readonly repositoryVariables: pulumi.Output<Record<string, string>>;
  /** GitHub environment -> its variables (GCP_DEPLOYER_SERVICE_ACCOUNT). */
  readonly environmentVariables: pulumi.Output<Record<string, Record<string, string>>>;
  /** Stack -> the `--secrets-provider` to create it with (`gcpkms://...`). */
  readonly secretsProviders: pulumi.Output<Record<string, string>>;
  /** Stack -> emails of the node and backup service accounts infra/cloud must use (not create). */
  readonly serviceAccounts: pulumi.Output<Record<string, { node: string; backup: string }>>;

  constructor(name: string, args: CiFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:CiFoundation", name, {}, opts);
    if (!args.stacks.length) throw new pulumi.ResourceError("stacks must not be empty", this);
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
          "attribute.repository_id": "assertion.repository_id",
          "attribute.repository_owner_id": "assertion.repository_owner_id",
          "attribute.ref": "assertion.ref",
        },
        // Tokens from any other repository are rejected before any binding is even considered.
        attributeCondition: attributeCondition(args.githubRepositoryId, args.githubOwnerId),
      },
      parent,
    );
    /** The principal of every job whose token has this `sub` claim. */
    const subject = (sub: string) =>
      pulumi.interpolate`principal://iam.googleapis.com/${this.pool.name}/subject/repo:${args.githubRepository}:${sub}`;
    const impersonableBy = (id: string, account: gcp.serviceaccount.Account, sub: string) =>
      new gcp.serviceaccount.IAMMember(
        `${name}-${id}-wif`,
        { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: subject(sub) },
        parent,
      );
    const account = (id: string, displayName: string, project = args.project) =>
      new gcp.serviceaccount.Account(
        `${name}-${id}`,
        {
          project,
          accountId: `github-${id}`,
          displayName,
          description: `Impersonated by ${args.githubRepository} workflows through Workload Identity Federation.`,
        },
        after,
      );
    const member = (sa: gcp.serviceaccount.Account) => pulumi.interpolate`serviceAccount:${sa.email}`;

    // Preview: pull requests of this repository (forks get no OIDC token), i.e. workflow code nobody has reviewed
    // yet. Read-only, and only of the stacks whose deploys need no approval: a stack behind a reviewer keeps its
    // state and secrets from every pull request.
    this.preview = account("preview", "GitHub Actions pulumi preview (read-only)");
    impersonableBy("preview", this.preview, "pull_request");
    const previewable = args.stacks.filter((t) => !t.approval);
    if (previewable.length > 0) {
      new gcp.storage.BucketIAMMember(
        `${name}-preview-state`,
        {
          bucket: this.stateBucket.name,
          role: "roles/storage.objectViewer",
          member: member(this.preview),
          condition: {
            title: "Checkpoints of the stacks pull requests may preview",
            expression: this.stateBucket.name.apply((bucket) =>
              stackPreviewCondition(
                bucket,
                previewable.map((t) => t.stack),
              ),
            ),
          },
        },
        parent,
      );
    }

    // Images: the release workflow on main pushes to the images repository of every target project.
    this.images = account("images", "GitHub Actions image push");
    impersonableBy("images", this.images, "ref:refs/heads/main");

    this.stacks = args.stacks.map((target) => {
      const { stack, project } = target;
      const enabled = TARGET_APIS.map(
        (api) =>
          new gcp.projects.Service(
            `${name}-${stack}-${serviceName(api)}`,
            { project, service: api, disableOnDestroy: false },
            parent,
          ),
      );
      const inTarget = { parent: this, dependsOn: enabled };

      const secretsKey = new gcp.kms.CryptoKey(
        `${name}-${stack}-secrets-key`,
        {
          name: `pulumi-secrets-${stack}`,
          keyRing: keyRing.id,
          purpose: "ENCRYPT_DECRYPT",
          rotationPeriod: "7776000s",
        },
        { ...parent, protect: true },
      );
      const deployer = account(`deploy-${stack}`, `GitHub Actions deployer of ${stack}`);
      impersonableBy(`deploy-${stack}`, deployer, `environment:${target.environment}`);
      new gcp.storage.BucketIAMMember(
        `${name}-${stack}-deployer-state`,
        {
          bucket: this.stateBucket.name,
          role: "roles/storage.objectAdmin",
          member: member(deployer),
          condition: {
            title: `Pulumi state of the ${stack} stacks only`,
            expression: this.stateBucket.name.apply((bucket) => stackStateCondition(bucket, stack)),
          },
        },
        parent,
      );
      new gcp.kms.CryptoKeyIAMMember(
        `${name}-${stack}-deployer-secrets`,
        {
          cryptoKeyId: secretsKey.id,
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: member(deployer),
        },
        parent,
      );
      if (!target.approval) {
        new gcp.kms.CryptoKeyIAMMember(
          `${name}-${stack}-preview-secrets`,
          {
            cryptoKeyId: secretsKey.id,
            role: "roles/cloudkms.cryptoKeyDecrypter",
            member: member(this.preview),
          },
          parent,
        );
        for (const role of PREVIEW_ROLES) {
          new gcp.projects.IAMMember(
            `${name}-${stack}-preview-${role.replace("roles/", "")}`,
            { project, role, member: member(this.preview) },
            inTarget,
          );
        }
      }
      for (const role of DEPLOYER_ROLES) {
        new gcp.projects.IAMMember(
          `${name}-${stack}-${role.replace("roles/", "")}`,
          {
            project,
            role,
            member: member(deployer),
            // The state bucket is reached through the stack-scoped bucket binding above, never through this one.
            ...(role === "roles/storage.admin"
              ? {
                  condition: {
                    title: "Not the Pulumi state bucket",
                    expression: this.stateBucket.name.apply(notStateBucketCondition),
                  },
                }
              : role === "roles/cloudkms.admin"
                ? {
                    condition: {
                      title: "Not the Pulumi secrets key ring",
                      expression: keyRing.id.apply(notPulumiKeyRingCondition),
                    },
                  }
                : {}),
          },
          inTarget,
        );
      }
      const repository = `projects/${project}/locations/${args.region}/repositories/${args.registryRepositoryId}`;
      new gcp.projects.IAMMember(
        `${name}-${stack}-images-push`,
        {
          project,
          role: "roles/artifactregistry.writer",
          member: member(this.images),
          // The repository is created later by infra/cloud, so the grant is conditional instead of on it.
          condition: {
            title: "The images repository only",
            expression: `resource.name == "${repository}" || resource.name.startsWith("${repository}/")`,
          },
        },
        inTarget,
      );

      // The cluster's node pool runs as this account: the deployer may act as it and nothing else.
      const nodeServiceAccount = new gcp.serviceaccount.Account(
        `${name}-${stack}-nodes`,
        { project, accountId: `gke-${stack}-nodes`, displayName: "GKE nodes (least privilege)" },
        inTarget,
      );
      for (const role of NODE_ROLES) {
        new gcp.projects.IAMMember(
          `${name}-${stack}-nodes-${role.replace("roles/", "")}`,
          { project, role, member: member(nodeServiceAccount) },
          inTarget,
        );
      }
      new gcp.serviceaccount.IAMMember(
        `${name}-${stack}-deployer-acts-as-nodes`,
        {
          serviceAccountId: nodeServiceAccount.name,
          role: "roles/iam.serviceAccountUser",
          member: member(deployer),
        },
        parent,
      );
      // The backup job's account: infra/cloud binds its Kubernetes ServiceAccount to it (Workload Identity),
      // which needs setIamPolicy on this account, and only on this one.
      const backupServiceAccount = new gcp.serviceaccount.Account(
        `${name}-${stack}-backup`,
        { project, accountId: `gke-${stack}-backup`, displayName: "MongoDB backup writer" },
        inTarget,
      );
      new gcp.serviceaccount.IAMMember(
        `${name}-${stack}-deployer-binds-backup`,
        {
          serviceAccountId: backupServiceAccount.name,
          role: "roles/iam.serviceAccountAdmin",
          member: member(deployer),
        },
        parent,
      );
      return { target, deployer, secretsKey, nodeServiceAccount, backupServiceAccount };
    });

    this.repositoryVariables = pulumi
      .all([this.provider.name, this.preview.email, this.images.email, this.stateBucket.name])
      .apply(([provider, preview, images, bucket]): Record<string, string> => ({
        GCP_WORKLOAD_IDENTITY_PROVIDER: provider,
        GCP_PREVIEW_SERVICE_ACCOUNT: preview,
        GCP_IMAGES_SERVICE_ACCOUNT: images,
        GCP_REGION: args.region,
        PULUMI_BACKEND_URL: `gs://${bucket}`,
        DEPLOY_STACKS: deployStacks(args),
      }));
    /** Stack -> value, from an output of each stack's resources. */
    const byStack = <T>(
      key: (s: StackIdentities) => string,
      value: (s: StackIdentities) => pulumi.Output<T>,
    ) =>
      pulumi
        .all(this.stacks.map((s) => value(s).apply((v): [string, T] => [key(s), v])))
        .apply((entries) => Object.fromEntries(entries) as Record<string, T>);
    this.environmentVariables = byStack(
      (s) => s.target.environment,
      (s) =>
        s.deployer.email.apply((email): Record<string, string> => ({ GCP_DEPLOYER_SERVICE_ACCOUNT: email })),
    );
    this.secretsProviders = byStack(
      (s) => s.target.stack,
      (s) => pulumi.interpolate`gcpkms://${s.secretsKey.id}`,
    );
    this.serviceAccounts = byStack(
      (s) => s.target.stack,
      (s) =>
        pulumi
          .all([s.nodeServiceAccount.email, s.backupServiceAccount.email])
          .apply(([node, backup]) => ({ node, backup })),
    );
    this.registerOutputs({
      repositoryVariables: this.repositoryVariables,
      environmentVariables: this.environmentVariables,
      secretsProviders: this.secretsProviders,
      serviceAccounts: this.serviceAccounts,
    });
  }
}

/**
 * What the workflows know of the infra stacks, in one repository variable: the stacks in promotion order (a
 * release deploys each only after the ones before it succeeded), the GitHub environment that deploys each, whether
 * that environment waits for a reviewer (then pull requests do not preview it), and the images repository its cloud
 * layer creates. The workflows name no stack and no environment: adding a stack is an entry in `stacks`.
 */
export function deployStacks(
  args: Pick<BootstrapConfig, "stacks" | "region" | "registryRepositoryId">,
): string {
  return JSON.stringify(
    args.stacks.map((t) => ({
      stack: t.stack,
      environment: t.environment,
      approval: t.approval,
      registry: `${args.region}-docker.pkg.dev/${t.project}/${args.registryRepositoryId}`,
    })),
  );
}

/** `gh variable set` commands that copy the repository and environment variables into GitHub. */
export function ghCommands(
  repository: string,
  variables: Record<string, string>,
  environments: Record<string, Record<string, string>> = {},
): string {
  const repo = Object.entries(variables).map(
    ([key, value]) => `gh variable set ${key} --repo ${repository} --body '${value}'`,
  );
  const env = Object.entries(environments).flatMap(([environment, vars]) =>
    Object.entries(vars).map(
      ([key, value]) => `gh variable set ${key} --repo ${repository} --env ${environment} --body '${value}'`,
    ),
  );
  return [...repo, ...env].join("\n");
}
