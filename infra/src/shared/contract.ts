/**
 * What the two layers agree on: names both sides must spell the same, and the cloud stack's outputs the platform
 * layer reads. No provider is imported here (the platform layer loads this file). The services themselves (names,
 * ports, databases) are @platform/contract's catalogue.
 */

/** Namespace of the services and MongoDB unless a stack sets `namespace`. */
export const DEFAULT_NAMESPACE = "platform";

/** Kubernetes ServiceAccount of the backup job; the cloud layer binds its Google service account to it. */
export const BACKUP_KSA = "mongodb-backup";

/** Name of the MongoDBCommunity resource, and so of its StatefulSet (the monitoring queries use it). */
export const MONGODB_NAME = "mongodb";

/** Source ranges of Google's external Application Load Balancers and their health checks. */
export const GCLB_SOURCE_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/**
 * Outputs of the cloud stack the platform layer reads through a StackReference, by name. In "bring your own
 * cluster" mode each one can be given as platform config under the same name instead; a value set in config
 * always wins over the stack's output.
 */
export const CLOUD_OUTPUTS = {
  /** Kubeconfig of the cluster (secret). */
  kubeconfig: "kubeconfig",
  /** `<region>-docker.pkg.dev/<project>/<repository>`: where bare image tags/digests point. */
  registryUrl: "registryUrl",
  /** Zones the node pool spans (3 for a regional cluster, 1 for a zonal one). */
  zoneCount: "zoneCount",
  /** Public host name the certificate is for. */
  domain: "domain",
  /** Name of the global static address the Gateway uses (`NamedAddress`). */
  gatewayAddressName: "gatewayAddressName",
  /** Certificate Manager certificate map of the HTTPS listener (`networking.gke.io/certmap`). */
  certificateMapName: "certificateMapName",
  /** Compute SSL policy for the GCPGatewayPolicy. */
  sslPolicyName: "sslPolicyName",
  /** Cloud Armor policy for the GCPBackendPolicy ("" when off). */
  securityPolicyName: "securityPolicyName",
  /** Backup bucket name. */
  backupBucket: "backupBucket",
  /** Google service account the backup KSA impersonates (Workload Identity). */
  backupServiceAccount: "backupServiceAccount",
  /** CIDRs the API server is reached at from pods (operator, MongoDB agents). */
  apiServerCidrs: "apiServerCidrs",
  /** The token issuer's Ed25519 signing key, PKCS#8 PEM (secret). */
  jwtSigningKey: "jwtSigningKey",
  /** The other listed keys, published for verification during a rotation (secret, PEM array). */
  jwtVerificationKeys: "jwtVerificationKeys",
  /** Passwords of the services' MongoDB users, by service name (secret object; @platform/contract's catalogue). */
  mongodbPasswords: "mongodbPasswords",
  /** Password of the backup job's MongoDB user (secret). */
  mongodbBackupPassword: "mongodbBackupPassword",
} as const;
