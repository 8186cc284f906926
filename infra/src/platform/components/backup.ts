import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { CRON } from "../../shared/config-reader.js";
import { MONGODB_PORT } from "./mongodb.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security.js";
import { policyPeer, type Peer } from "./workload.js";

/** GKE metadata server addresses (Workload Identity token exchange) as seen from pods on Dataplane V2. */
const METADATA_SERVER = [
  { cidr: "169.254.169.254/32", port: 80 },
  { cidr: "169.254.169.252/32", port: 988 },
] as const;

/**
 * Google's Private Google Access ranges on 443: `private.googleapis.com` (199.36.153.8/30) and
 * `restricted.googleapis.com` (199.36.153.4/30, the VPC Service Controls VIP, for a project that adds a
 * perimeter). The cloud layer's private zone resolves `storage.googleapis.com` to the first inside the VPC, so the
 * upload never needs an internet address; anything else the job might try (a leaked credential sent elsewhere)
 * has no route out of the pod.
 */
export const GOOGLE_APIS_PRIVATE_RANGES = ["199.36.153.8/30", "199.36.153.4/30"] as const;

/** An image reference with a tag and the digest it was pinned to: `<repository>:<tag>@sha256:<64 hex>`. */
const PINNED_IMAGE = /^[^\s@]+:[^\s@]+@sha256:[0-9a-f]{64}$/;

/** Where the dump is written in the pod (an emptyDir shared by both containers). */
export const DUMP_FILE = "/backup/dump.archive.gz";

/**
 * POSIX sh function `admin_uri URI`: the connection string without its database path, authenticating against
 * `admin` (kept if the URI names an authSource). mongodump and mongorestore treat a database in the URI as `--db`
 * and refuse `--db`/`--authenticationDatabase` next to `--uri`; the operator's `connectionString.standard` ends in
 * `/admin`, so without this a dump holds `admin` only. The restore runbook in infra/README.md uses the same text.
 */
export const ADMIN_URI_FUNCTION = String.raw`admin_uri() {
  u=$(printf '%s' "$1" | sed -E 's#^(mongodb(\+srv)?://[^/?]+)[^?]*#\1/#')
  case $u in
    *[?\&][aA]uth[sS]ource=*) ;;
    *\?*) u="$u&authSource=admin" ;;
    *) u="$u?authSource=admin" ;;
  esac
  printf '%s' "$u"
}`;

/**
 * Every database of the deployment (no database in the URI, so no `--db`) into one gzipped archive: the
 * application databases and whatever is added later; `admin` comes along and is left out at restore
 * (`--nsInclude`). No `--oplog`: replaying it (`--oplogReplay`) refuses `--nsInclude`, and a restore must not
 * touch the users the operator manages in `admin`.
 */
const DUMP_SCRIPT = `${ADMIN_URI_FUNCTION}
exec mongodump --uri="$(admin_uri "$MONGODB_URI")" --archive=${DUMP_FILE} --gzip`;

/** One object per run, named by its UTC start time, so no upload ever replaces an earlier dump. */
const UPLOAD_SCRIPT = `exec gcloud storage cp ${DUMP_FILE} "gs://$BUCKET/mongodb/$(date -u +%Y%m%dT%H%M%SZ).archive.gz"`;

/** Arguments for {@link MongoBackup}. */
export interface MongoBackupArgs {
  namespace: pulumi.Input<string>;
  /** Secret in `namespace` with `connectionString.standard` for a user holding the `backup` role. */
  connectionSecretName: pulumi.Input<string>;
  /** Where mongodump connects: the operator's member pods (in their namespace), or external CIDRs. */
  mongoPeers: readonly Peer[];
  /** Cloud Storage bucket the dump is uploaded to (cloud layer). */
  bucket: string;
  /** Google service account to act as through Workload Identity; undefined = no annotation. */
  gcpServiceAccount?: string;
  schedule: string;
  /** Image with `mongodump`, `<repository>:<tag>@sha256:<digest>` (the tag for readers, the digest for the kubelet). */
  toolsImage: string;
  /** Image with `gcloud`, `<repository>:<tag>@sha256:<digest>`. */
  uploaderImage: string;
}

/**
 * A nightly `mongodump` of the replica set into the cloud layer's bucket. The job authenticates to Cloud Storage
 * through Workload Identity (its ServiceAccount is bound to a Google service account that may only create
 * objects in that bucket), so no key file exists anywhere.
 */
export class MongoBackup extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: MongoBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:MongoBackup", name, {}, opts);
    if (!CRON.test(args.schedule))
      throw new pulumi.ResourceError(`schedule "${args.schedule}" is not cron`, this);
    // The job reads every database: what runs with that credential must be exactly the image that was reviewed.
    for (const [key, image] of Object.entries({
      toolsImage: args.toolsImage,
      uploaderImage: args.uploaderImage,
    }))
      if (!PINNED_IMAGE.test(image))
        throw new pulumi.ResourceError(
          `${key} "${image}" is not pinned by digest (<repository>:<tag>@sha256:<digest>)`,
          this,
        );
    const child = { parent: this };
    const ksaName = name;
    const labels = { app: ksaName, "app.kubernetes.io/part-of": "gke-platform" };
    const sa = new k8s.core.v1.ServiceAccount(
      name,
      {
        metadata: {
          name: ksaName,
          namespace: args.namespace,
          labels,
          ...(args.gcpServiceAccount
            ? { annotations: { "iam.gke.io/gcp-service-account": args.gcpServiceAccount } }
            : {}),
        },
        automountServiceAccountToken: false,
      },
      child,
    );

    const securityContext = restrictedContainerSecurityContext;
    const mounts = [
      { name: "dump", mountPath: "/backup" },
      { name: "tmp", mountPath: "/tmp" },
    ];
    this.cronJob = new k8s.batch.v1.CronJob(
      name,
      {
        metadata: { name: ksaName, namespace: args.namespace, labels },
        spec: {
          schedule: args.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 3600,
              ttlSecondsAfterFinished: 7 * 24 * 3600,
              template: {
                metadata: { labels },
                spec: {
                  serviceAccountName: sa.metadata.name,
                  automountServiceAccountToken: false,
                  restartPolicy: "Never",
                  securityContext: restrictedPodSecurityContext,
                  // Dump first (init container), upload second: each image does one job and no shell glue is
                  // needed between two processes in one container.
                  initContainers: [
                    {
                      name: "mongodump",
                      image: args.toolsImage,
                      imagePullPolicy: "IfNotPresent",
                      command: ["/bin/sh", "-ec", DUMP_SCRIPT],
                      env: [
                        {
                          name: "MONGODB_URI",
                          valueFrom: {
                            secretKeyRef: {
                              name: args.connectionSecretName,
                              key: "connectionString.standard",
                            },
                          },
                        },
                      ],
                      resources: {
                        requests: { cpu: "100m", memory: "256Mi" },
                        limits: { cpu: "1", memory: "1Gi" },
                      },
                      securityContext,
                      volumeMounts: mounts,
                    },
                  ],
                  containers: [
                    {
                      name: "upload",
                      image: args.uploaderImage,
                      imagePullPolicy: "IfNotPresent",
                      command: ["/bin/sh", "-ec", UPLOAD_SCRIPT],
                      env: [
                        { name: "BUCKET", value: args.bucket },
                        // One resumable upload instead of a parallel composite one (gcloud's default above 150 MiB),
                        // which would need storage.objects.delete to remove its parts: the writer keeps
                        // objectCreator only and can never delete or overwrite a dump.
                        { name: "CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED", value: "False" },
                        // gcloud writes its state under its config directory; only /tmp is writable.
                        { name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" },
                        // No calls besides the upload: usage reports and update checks would go to addresses
                        // the NetworkPolicy does not open.
                        { name: "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", value: "true" },
                        { name: "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", value: "true" },
                        { name: "HOME", value: "/tmp" },
                      ],
                      resources: {
                        requests: { cpu: "100m", memory: "256Mi" },
                        limits: { cpu: "1", memory: "512Mi" },
                      },
                      securityContext,
                      volumeMounts: mounts,
                    },
                  ],
                  volumes: [
                    { name: "dump", emptyDir: { sizeLimit: "20Gi" } },
                    { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                  ],
                },
              },
            },
          },
        },
      },
      child,
    );

    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { name: ksaName, namespace: args.namespace, labels },
        spec: {
          podSelector: { matchLabels: { app: ksaName } },
          policyTypes: ["Ingress", "Egress"],
          egress: [
            {
              to: args.mongoPeers.map(policyPeer),
              ports: [{ protocol: "TCP", port: MONGODB_PORT }],
            },
            ...METADATA_SERVER.map((m) => ({
              to: [{ ipBlock: { cidr: m.cidr } }],
              ports: [{ protocol: "TCP", port: m.port }],
            })),
            // Cloud Storage through Private Google Access only (DNS comes from the namespace's allow-dns-egress).
            {
              to: GOOGLE_APIS_PRIVATE_RANGES.map((cidr) => ({ ipBlock: { cidr } })),
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        },
      },
      child,
    );
    this.registerOutputs({});
  }
}
