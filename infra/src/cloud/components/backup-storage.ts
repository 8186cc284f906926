import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Arguments for {@link BackupStorage}. */
export interface BackupStorageArgs {
  project: string;
  region: string;
  /** Namespace and ServiceAccount of the platform layer's backup CronJob (Workload Identity subject). */
  namespace: string;
  serviceAccountName: string;
  retentionDays: number;
}

/**
 * Where the platform layer's nightly `mongodump` lands: a private GCS bucket whose lifecycle rule deletes old
 * dumps, and a Google service account that may only create objects in it, impersonated by the backup job's
 * Kubernetes ServiceAccount through Workload Identity (no key file anywhere).
 */
export class BackupStorage extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  readonly serviceAccount: gcp.serviceaccount.Account;

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:BackupStorage", name, {}, opts);
    if (args.retentionDays < 1) throw new pulumi.ResourceError("retentionDays must be at least 1", this);
    const child = { parent: this };

    this.bucket = new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        location: args.region,
        storageClass: "STANDARD",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        lifecycleRules: [{ action: { type: "Delete" }, condition: { age: args.retentionDays } }],
        // Dumps are the last line of defence: keep the bucket unless someone deletes it on purpose.
        forceDestroy: false,
      },
      child,
    );
    this.serviceAccount = new gcp.serviceaccount.Account(
      `${name}-gsa`,
      { accountId: name.slice(0, 30), displayName: "MongoDB backup writer" },
      child,
    );
    new gcp.storage.BucketIAMMember(
      `${name}-writer`,
      {
        bucket: this.bucket.name,
        role: "roles/storage.objectCreator",
        member: pulumi.interpolate`serviceAccount:${this.serviceAccount.email}`,
      },
      child,
    );
    new gcp.serviceaccount.IAMMember(
      `${name}-workload-identity`,
      {
        serviceAccountId: this.serviceAccount.name,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${args.project}.svc.id.goog[${args.namespace}/${args.serviceAccountName}]`,
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.name, serviceAccount: this.serviceAccount.email });
  }
}
