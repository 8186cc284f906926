/**
 * Typed configuration of the cloud layer (project `gke-cloud`): the ONE place that reads its stack config. Every
 * key read here is declared in cloud/Pulumi.yaml (a test keeps the two in sync).
 */
import { DEFAULT_NAMESPACE } from "../shared/contract.js";
import { DNS_NAME, Reader, pulumiConfigSource, type ConfigSource } from "../shared/config-reader.js";
import * as pulumi from "@pulumi/pulumi";

export interface CloudConfig {
  /** Production safeguards (a regional cluster), by explicit setting: a stack's name does not turn them on or off. */
  readonly production: boolean;
  /**
   * The token issuer's signing keys, by id: one Ed25519 key is generated per id and kept while the id is listed.
   * `jwtSigningKeyActive` signs; the others are published for verification only (a rotation's next or old key).
   */
  readonly jwtSigningKeyIds: readonly string[];
  readonly jwtSigningKeyActive: string;
  readonly project: string;
  readonly region: string;
  /** Regional cluster (control plane and nodes in three zones) or zonal (one zone, cheaper, dev only). */
  readonly regionalCluster: boolean;
  readonly zone: string;
  readonly deletionProtection: boolean;
  readonly namePrefix: string;
  readonly subnetCidr: string;
  readonly podsCidr: string;
  readonly servicesCidr: string;
  readonly masterCidr: string;
  readonly authorizedNetworks: readonly string[];
  readonly dnsEndpoint: boolean;
  readonly releaseChannel: "RAPID" | "REGULAR" | "STABLE";
  readonly nodeMachineType: string;
  readonly nodeMinCount: number;
  readonly nodeMaxCount: number;
  readonly nodeDiskSizeGb: number;
  readonly nodeSpot: boolean;
  readonly domain: string;
  /** Cloud DNS managed zone (in the same project) that serves `domain`; empty = records are created by hand. */
  readonly dnsZone: string;
  readonly cloudArmor: boolean;
  readonly cloudArmorRequestsPerMinute: number;
  /** Namespace the platform layer deploys into (the backup job's Workload Identity binding names it). */
  readonly namespace: string;
  /** Namespace of the MongoDB replica set (the platform layer's mongodbNamespace): the alert on its members names it. */
  readonly mongodbNamespace: string;
  readonly backupRetentionDays: number;
  readonly alertEmail: string;
  /**
   * Email of the node pool's service account. Created by bootstrap (with its project role), never here: the
   * deployer may act as it but cannot create service accounts or grant project roles.
   */
  readonly nodeServiceAccount: string;
  /** Email of the backup job's service account (bootstrap); this layer binds it to the backup KSA and the bucket. */
  readonly backupServiceAccount: string;
}

/** Empty, or a service account email: `<account id>@<project>.iam.gserviceaccount.com`. */
const OPTIONAL_SERVICE_ACCOUNT_EMAIL =
  /^([a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.-]*[a-z0-9]\.iam\.gserviceaccount\.com)?$/;

/** The email bootstrap gives a stack's service account (`gke-<stack>-nodes`, `gke-<stack>-backup`). */
export function bootstrapServiceAccount(stack: string, project: string, role: "nodes" | "backup"): string {
  return `gke-${stack}-${role}@${project}.iam.gserviceaccount.com`;
}

/** Parses and validates a configuration source. Throws a ConfigValidationError listing every bad key. */
export function parseCloudConfig(
  source: ConfigSource,
  stack: string,
): { config: CloudConfig; keys: Set<string> } {
  const r = new Reader(source);
  const region = r.matching("region", /^[a-z]+-[a-z]+\d$/, "a region such as europe-west1", "europe-west1");
  const authorizedNetworks = r.cidrArray("authorizedNetworks");
  for (const cidr of authorizedNetworks) {
    if (cidr.endsWith("/0"))
      r.errors.push(`authorizedNetworks: "${cidr}" opens the control plane to the internet`);
  }
  const project = r.matching("project", /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "a Google Cloud project ID");
  // Empty = the name bootstrap gives it, so a stack file that follows bootstrap needs no value.
  const serviceAccount = (key: string, role: "nodes" | "backup") =>
    r.matching(key, OPTIONAL_SERVICE_ACCOUNT_EMAIL, "a service account email", "") ||
    bootstrapServiceAccount(stack, project, role);
  const jwtSigningKeyIds = r.stringArray("jwtSigningKeyIds", ["1"]);
  for (const id of jwtSigningKeyIds)
    if (!/^[a-z0-9-]{1,20}$/.test(id))
      r.errors.push(`jwtSigningKeyIds: "${id}" is not an id (1-20 lowercase letters, digits or -)`);
  if (jwtSigningKeyIds.length === 0) r.errors.push("jwtSigningKeyIds: at least one key");
  if (new Set(jwtSigningKeyIds).size !== jwtSigningKeyIds.length)
    r.errors.push("jwtSigningKeyIds: an id is listed twice");
  const jwtSigningKeyActive = r.string("jwtSigningKeyActive", "") || (jwtSigningKeyIds[0] ?? "");
  if (!jwtSigningKeyIds.includes(jwtSigningKeyActive))
    r.errors.push(`jwtSigningKeyActive: "${jwtSigningKeyActive}" is not in jwtSigningKeyIds`);
  const config: CloudConfig = {
    production: r.boolean("production", false),
    jwtSigningKeyIds,
    jwtSigningKeyActive,
    project,
    region,
    regionalCluster: r.boolean("regionalCluster", true),
    zone: r.matching("zone", /^[a-z]+-[a-z]+\d-[a-z]$/, "a zone such as europe-west1-b", `${region}-b`),
    deletionProtection: r.boolean("deletionProtection", true),
    namePrefix: r.matching(
      "namePrefix",
      /^[a-z][a-z0-9-]{1,14}$/,
      "2-15 lowercase letters, digits or -",
      `gke-${stack}`,
    ),
    subnetCidr: r.cidr("subnetCidr", "10.10.0.0/20"),
    podsCidr: r.cidr("podsCidr", "10.20.0.0/14"),
    servicesCidr: r.cidr("servicesCidr", "10.30.0.0/20"),
    masterCidr: r.cidr("masterCidr", "172.16.0.0/28"),
    authorizedNetworks,
    dnsEndpoint: r.boolean("dnsEndpoint", true),
    releaseChannel: r.oneOf("releaseChannel", ["RAPID", "REGULAR", "STABLE"], "REGULAR"),
    nodeMachineType: r.matching(
      "nodeMachineType",
      /^[a-z0-9]+-[a-z0-9-]+$/,
      "a machine type",
      "e2-standard-4",
    ),
    nodeMinCount: r.integer("nodeMinCount", 1, 0, 100),
    nodeMaxCount: r.integer("nodeMaxCount", 3, 1, 100),
    nodeDiskSizeGb: r.integer("nodeDiskSizeGb", 50, 20, 2000),
    nodeSpot: r.boolean("nodeSpot", false),
    domain: r.matching("domain", DNS_NAME, "a DNS name such as api.example.com"),
    dnsZone: r.matching("dnsZone", /^([a-z][a-z0-9-]*)?$/, "a Cloud DNS managed zone name", ""),
    cloudArmor: r.boolean("cloudArmor", false),
    cloudArmorRequestsPerMinute: r.integer("cloudArmorRequestsPerMinute", 1200, 10, 1_000_000),
    namespace: r.matching("namespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", DEFAULT_NAMESPACE),
    mongodbNamespace: r.matching("mongodbNamespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", "mongodb"),
    backupRetentionDays: r.integer("backupRetentionDays", 14, 1, 3650),
    alertEmail: r.matching("alertEmail", /^([^@\s]+@[^@\s]+)?$/, "an e-mail address", ""),
    nodeServiceAccount: serviceAccount("nodeServiceAccount", "nodes"),
    backupServiceAccount: serviceAccount("backupServiceAccount", "backup"),
  };
  if (config.nodeMinCount > config.nodeMaxCount) {
    r.errors.push(`nodeMinCount: ${config.nodeMinCount} is above nodeMaxCount ${config.nodeMaxCount}`);
  }
  if (config.production && !config.regionalCluster)
    r.errors.push("regionalCluster: a production stack (production: true) must be regional");
  if (!config.dnsEndpoint && config.authorizedNetworks.length === 0) {
    // The IP endpoint answers only authorised networks; without the DNS endpoint nobody (CI included) gets in.
    r.errors.push(
      "dnsEndpoint: false with an empty authorizedNetworks leaves the control plane reachable by nobody; keep the DNS endpoint or authorise a network",
    );
  }
  r.finish(stack, "cloud");
  return { config, keys: r.keys };
}

/** Reads the current stack's configuration from Pulumi. */
export function loadCloudConfig(): CloudConfig {
  return parseCloudConfig(pulumiConfigSource(), pulumi.getStack()).config;
}
