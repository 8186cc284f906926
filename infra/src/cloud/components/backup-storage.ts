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
  /**
   * Email of the Google service account the job acts as. Created by bootstrap, which lets the deployer set the IAM
   * policy of this account alone; this component only binds it (Workload Identity, bucket role).
   */
  serviceAccountEmail: string;
  /**
   * The cluster's Workload Identity pool (`<project>.svc.id.goog`) as an output of the cluster: the pool does not
   * exist until GKE has created the cluster, and IAM refuses a member in a pool that does not exist.
   */
  workloadPool: pulumi.Input<string>;
  /** The VPC the cluster runs in: it gets the private zone that sends Cloud Storage to Private Google Access. */
  network: pulumi.Input<string>;
}

/**
 * `private.googleapis.com`: four addresses reachable from a subnet with Private Google Access through the VPC's
 * default route, without Cloud NAT or the internet. The platform layer's backup NetworkPolicy allows 443 to them.
 */
export const PRIVATE_GOOGLE_APIS_ADDRESSES = [
  "199.36.153.8",
  "199.36.153.9",
  "199.36.153.10",
  "199.36.153.11",
];

/**
 * Where the platform layer's nightly `mongodump` lands: a private GCS bucket whose lifecycle rule deletes old
 * dumps, and the backup service account's bindings: it may only create objects in the bucket, and the backup
 * job's Kubernetes ServiceAccount may impersonate it through Workload Identity (no key file anywhere). A private
 * Cloud DNS zone answers `storage.googleapis.com` inside the VPC with the `private.googleapis.com` addresses, so the
 * job's egress can be limited to that fixed range instead of every address on the internet. The zone holds only
 * that one name: other Google APIs keep resolving as before.
 */
export class BackupStorage extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  /** Email of the service account the backup job acts as. */
  readonly serviceAccountEmail: string;

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
    this.serviceAccountEmail = args.serviceAccountEmail;
    new gcp.storage.BucketIAMMember(
      `${name}-writer`,
      {
        bucket: this.bucket.name,
        role: "roles/storage.objectCreator",
        member: `serviceAccount:${args.serviceAccountEmail}`,
      },
      child,
    );
    new gcp.serviceaccount.IAMMember(
      `${name}-workload-identity`,
      {
        serviceAccountId: `projects/${args.project}/serviceAccounts/${args.serviceAccountEmail}`,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.interpolate`serviceAccount:${args.workloadPool}[${args.namespace}/${args.serviceAccountName}]`,
      },
      child,
    );
    const zone = new gcp.dns.ManagedZone(
      `${name}-storage-private`,
      {
        dnsName: "storage.googleapis.com.",
        visibility: "private",
        description:
          "Cloud Storage through Private Google Access (the backup job's only route to its bucket)",
        privateVisibilityConfig: { networks: [{ networkUrl: args.network }] },
      },
      child,
    );
    new gcp.dns.RecordSet(
      `${name}-storage-private`,
      {
        managedZone: zone.name,
        name: "storage.googleapis.com.",
        type: "A",
        ttl: 300,
        rrdatas: PRIVATE_GOOGLE_APIS_ADDRESSES,
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.name, serviceAccount: args.serviceAccountEmail });
  }
}
