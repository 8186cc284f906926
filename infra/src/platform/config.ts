/**
 * Typed configuration of the platform layer (project `gke-platform`): the ONE place that reads its stack config.
 * Every key read here is declared in platform/Pulumi.yaml (a test keeps the two in sync). Values the cloud stack
 * can provide (shared/contract.ts `CLOUD_OUTPUTS`) are optional here: `resolveClusterInputs` fills them from the
 * StackReference and checks what is still missing.
 */
import { createPrivateKey } from "node:crypto";

import { envVariables, SERVICES, type EnvName, type ServiceEntry } from "@platform/contract";
import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_NAMESPACE, GCLB_SOURCE_RANGES } from "../shared/contract.js";
import {
  CRON,
  DNS_NAME,
  QUANTITY,
  Reader,
  pulumiConfigSource,
  type ConfigSource,
} from "../shared/config-reader.js";

/** Sizing, scaling and image for one service of the catalogue: `services.<name>.<field>` in the stack config. */
export interface ServiceSettings {
  /**
   * Full image reference (`<registry>/<path>@sha256:<64 hex>` as CI sets it, or `...:<tag>`), or only a tag
   * (`0.3.1`) or digest (`sha256:...`) of the image in the stack's registry (`registryUrl`).
   */
  readonly image: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** HPA target for average CPU utilisation, percent of the CPU request. */
  readonly cpuTargetPercent: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly logLevel: string;
  /**
   * Requests per second one pod sustains at the latency objective: the request-rate autoscaling target of a service
   * that scales on requests (`networking.gke.io/max-rate-per-endpoint` on GKE).
   */
  readonly maxRatePerEndpoint: number;
  /** Target for `gclb-capacity-fullness`, percent of `maxRatePerEndpoint`. */
  readonly capacityTargetPercent: number;
  /**
   * More of the service's own settings (`services.<name>.env`): variables of the runtime contract for its token
   * role that the platform does not set itself, e.g. the issuer's REGISTER_MAX_PER_IP. Never secrets.
   */
  readonly env: Readonly<Partial<Record<EnvName, string>>>;
}

/** The fields of `services.<name>`, in the order the docs list them. */
export const SERVICE_FIELDS = [
  "image",
  "minReplicas",
  "maxReplicas",
  "cpuTargetPercent",
  "cpuRequest",
  "cpuLimit",
  "memoryRequest",
  "memoryLimit",
  "logLevel",
  "maxRatePerEndpoint",
  "capacityTargetPercent",
  "env",
] as const satisfies readonly (keyof ServiceSettings)[];

/** `gke`: every GKE-only object on; `generic`: plain Kubernetes (kind, minikube, the local cluster). */
export type ClusterFlavor = "gke" | "generic";

/** GKE-only objects, each switchable; defaults follow `clusterFlavor`. */
export interface GkeFeatures {
  /** HealthCheckPolicy, GCPBackendPolicy, GCPGatewayPolicy. */
  readonly gatewayPolicies: boolean;
  /**
   * The HPA of each service that scales on requests on `gclb-capacity-fullness` + the `max-rate-per-endpoint`
   * annotation (off: CPU only).
   */
  readonly trafficAutoscaling: boolean;
  /** `iam.gke.io/gcp-service-account` on the backup job's ServiceAccount. */
  readonly workloadIdentity: boolean;
  /** PodMonitoring objects for Managed Prometheus. */
  readonly podMonitoring: boolean;
  /** The nightly mongodump CronJob to Cloud Storage. */
  readonly backup: boolean;
}

/** The in-cluster metrics pipeline (components/metrics.ts): `metricsStack: in-cluster`. */
export interface MetricsSettings {
  /** `in-cluster`: VictoriaMetrics, vmalert, kube-state-metrics and prometheus-adapter in `namespace`; `none`. */
  readonly stack: "in-cluster" | "none";
  readonly namespace: string;
  readonly retention: string;
  readonly storageLimit: string;
  readonly images: {
    readonly victoriaMetrics: string;
    readonly vmalert: string;
    readonly kubeStateMetrics: string;
    readonly prometheusAdapter: string;
  };
  /** Addresses allowed to query the store and vmalert from outside the cluster. */
  readonly ingressCidrs: readonly string[];
  /** Node ports of the store and vmalert (0: not exposed). */
  readonly nodePorts: { readonly victoriaMetrics: number; readonly vmalert: number };
  /** The `for` durations of the alert rules the store evaluates, in percent of the cloud layer's. */
  readonly alertForPercent: number;
  /** The rate() window of the dashboards and alert rules the store evaluates. */
  readonly rateWindow: string;
}

/** The upstream images of the metrics stack, by the versions tools/ builds (the local cluster builds its own). */
export const DEFAULT_METRICS_IMAGES = {
  victoriaMetrics: "docker.io/victoriametrics/victoria-metrics:v1.151.0",
  vmalert: "docker.io/victoriametrics/vmalert:v1.151.0",
  kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0",
  prometheusAdapter: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
} as const;

/** Secret values given as stack config (never logged; the program wraps each in `pulumi.secret`). */
export interface PlatformSecretsConfig {
  readonly kubeconfig: string | undefined;
  readonly jwtSigningKey: string | undefined;
  /** Keys published for verification only (a rotation's next or old key), PKCS#8 PEMs. */
  readonly jwtVerificationKeys: readonly string[] | undefined;
  /** Operator mode without a cloud stack: each service's database user's password, by service name. */
  readonly mongodbPasswords: Readonly<Record<string, string>>;
  readonly mongodbBackupPassword: string | undefined;
  /** External mode: each service's connection string, by service name. */
  readonly mongodbUris: Readonly<Record<string, string>>;
  readonly backupMongodbUri: string | undefined;
  readonly gatewayTlsCertificate: string | undefined;
  readonly gatewayTlsPrivateKey: string | undefined;
}

export interface PlatformConfig {
  /**
   * Production safeguards (at least 2 replicas of every service, 3 MongoDB members), by explicit setting: a stack's
   * name does not turn them on or off.
   */
  readonly production: boolean;
  /** `<org>/gke-cloud/<stack>`: read cluster values from the cloud stack; undefined = bring your own cluster. */
  readonly cloudStack: string | undefined;
  readonly clusterFlavor: ClusterFlavor;
  readonly gke: GkeFeatures;
  readonly metrics: MetricsSettings;
  readonly namespace: string;
  /** `protect` the namespace, the replica set and the operator release (and retain the replica set). */
  readonly protectResources: boolean;
  /** Values the cloud stack exports; set here they win over the stack reference. */
  readonly cluster: {
    readonly registryUrl: string | undefined;
    readonly zoneCount: number | undefined;
    readonly domain: string | undefined;
    readonly gatewayAddressName: string | undefined;
    readonly certificateMapName: string | undefined;
    readonly sslPolicyName: string | undefined;
    readonly securityPolicyName: string | undefined;
    readonly backupBucket: string | undefined;
    readonly backupServiceAccount: string | undefined;
    readonly apiServerCidrs: readonly string[] | undefined;
  };
  readonly secrets: PlatformSecretsConfig;
  readonly publicUrl: string | undefined;
  readonly gatewayClassName: string;
  readonly gatewayHttpPort: number;
  readonly gatewayHttpsPort: number;
  readonly gatewaySourceRanges: readonly string[];
  readonly apiServerPort: number;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** Every service of the catalogue, by name (`services` in the stack config). */
  readonly services: Readonly<Record<string, ServiceSettings>>;
  /** Keys the stack still sets in their pre-catalogue form (`<prefix>Image`, the catalogue's legacyConfigPrefix): warned about, still honoured. */
  readonly deprecatedKeys: readonly string[];
  readonly hpaScaleUpStabilizationSeconds: number;
  readonly hpaScaleDownStabilizationSeconds: number;
  readonly jwtAudience: string;
  /**
   * Proxies in front of the apps that append to X-Forwarded-For (the apps' TRUST_PROXY hop count): the client
   * address the token issuer throttles failed logins by is the one these hops report, so one hop too many lets a client
   * choose its own address.
   */
  readonly gatewayProxyHops: number;
  readonly preStopSleepSeconds: number;
  /** How long `pulumi up` waits for a Deployment's rollout before it fails the update (seconds). */
  readonly rolloutTimeoutSeconds: number;
  readonly mongodbMode: "operator" | "external";
  /**
   * Namespace of the MongoDB operator and the replica set in operator mode: their own, so nothing of MongoDB holds a
   * permission in the services' namespace, where the token issuer's signing key is.
   */
  readonly mongodbNamespace: string;
  /**
   * The apps' FERRETDB_WORKAROUNDS (docs/decisions): on, they stay correct on FerretDB and cost extra round trips on
   * MongoDB. Off with the operator's MongoDB; on by default in external mode, where the server may be either.
   */
  readonly ferretdbWorkarounds: boolean;
  readonly mongodbEgressCidrs: readonly string[];
  readonly mongodbMembers: number;
  /** Explicit choice; undefined = required when the cluster spans more than one zone. */
  readonly mongodbZoneAntiAffinity: "required" | "preferred" | undefined;
  readonly mongodbVersion: string;
  readonly mongodbStorageSize: string;
  /** "" = the cluster's default StorageClass. */
  readonly mongodbStorageClass: string;
  readonly mongodbCpuRequest: string;
  readonly mongodbMemoryRequest: string;
  readonly mongodbMemoryLimit: string;
  readonly mongodbOperatorChartVersion: string;
  readonly backupSchedule: string;
  readonly backupToolsImage: string;
  readonly backupUploaderImage: string;
}

/**
 * Gateway classes the program accepts without further ado: GKE's (single-cluster) classes and Traefik's. Any other
 * implementation is accepted once listed in `allowedGatewayClasses`, so a typo never reaches the cluster as a
 * Gateway that nothing programs.
 */
export const KNOWN_GATEWAY_CLASSES = [
  "gke-l7-global-external-managed",
  "gke-l7-regional-external-managed",
  "gke-l7-rilb",
  "gke-l7-gxlb",
  "traefik",
] as const;

/** True for the classes GKE's own Gateway controller implements (its policies only apply to them). */
export function isGkeGatewayClass(name: string): boolean {
  return name.startsWith("gke-l7-");
}

const TAG_OR_DIGEST = "(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
const IMAGE = new RegExp(
  // A full reference: `<registry>/<path>` with a tag, a digest, or both (`:1.2.3@sha256:...`, pinned and readable).
  `^(${TAG_OR_DIGEST}|[a-z0-9.-]+(:\\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64}))$`,
);
const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const MONGODB_URI = /^mongodb(\+srv)?:\/\/\S+$/;

/** Variables the platform sets for every service from its own config: `services.<name>.env` may not override them. */
const PLATFORM_SET_ENV = new Set<string>([
  "NODE_ENV",
  "HOST",
  "PORT",
  "METRICS_PORT",
  "LOG_LEVEL",
  "MONGODB_DB",
  "FERRETDB_WORKAROUNDS",
  "SHUTDOWN_DRAIN_DELAY_MS",
  "SHUTDOWN_TIMEOUT_MS",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "TRUST_PROXY",
  "SERVICE_VERSION",
  "JWKS_URL",
]);

/** A legacy key's name: `<prefix>` + `minReplicas` = `<prefix>MinReplicas`. */
function legacyKey(prefix: string, field: string): string {
  return prefix + field.charAt(0).toUpperCase() + field.slice(1);
}

/**
 * The config of one service: `services.<name>.<field>`, else the pre-catalogue key (`<prefix>MinReplicas`) recorded as
 * deprecated, else the default (resources from the catalogue entry).
 */
function readService(
  r: Reader,
  entry: ServiceEntry,
  own: Record<string, unknown>,
  deprecated: string[],
): ServiceSettings {
  const base = `services.${entry.name}.`;
  for (const field of Object.keys(own))
    if (!(SERVICE_FIELDS as readonly string[]).includes(field))
      r.errors.push(`${base}${field}: unknown field; expected one of ${SERVICE_FIELDS.join(", ")}`);
  const source: ConfigSource = {
    get(key) {
      const field = key.slice(base.length);
      const value = own[field];
      if (value !== undefined && value !== null)
        return typeof value === "string" ? value : JSON.stringify(value);
      if (entry.legacyConfigPrefix === undefined) return undefined;
      const legacy = legacyKey(entry.legacyConfigPrefix, field);
      const legacyValue = r.source.get(legacy);
      if (legacyValue !== undefined && legacyValue !== "") deprecated.push(legacy);
      return legacyValue;
    },
  };
  const s = new Reader(source, "pulumi config set --path");
  const d = entry.resources;
  const settings: ServiceSettings = {
    image: s.matching(`${base}image`, IMAGE, "an image reference, a tag or sha256:<digest>"),
    minReplicas: s.integer(`${base}minReplicas`, 2, 1, 100),
    maxReplicas: s.integer(`${base}maxReplicas`, 10, 1, 500),
    cpuTargetPercent: s.integer(`${base}cpuTargetPercent`, 70, 10, 95),
    cpuRequest: s.matching(`${base}cpuRequest`, QUANTITY, "a CPU quantity such as 250m", d.cpuRequest),
    cpuLimit: s.matching(`${base}cpuLimit`, QUANTITY, "a CPU quantity such as 1", d.cpuLimit),
    memoryRequest: s.matching(
      `${base}memoryRequest`,
      QUANTITY,
      "a memory quantity such as 256Mi",
      d.memoryRequest,
    ),
    memoryLimit: s.matching(`${base}memoryLimit`, QUANTITY, "a memory quantity such as 512Mi", d.memoryLimit),
    logLevel: s.oneOf(`${base}logLevel`, ["trace", "debug", "info", "warn", "error", "fatal"], "info"),
    // The per-pod rate measured by bench/pod-capacity.sh, kept in the catalogue (one source for every user of it).
    maxRatePerEndpoint: s.integer(
      `${base}maxRatePerEndpoint`,
      entry.requestsPerSecondPerPod ?? 100,
      1,
      100_000,
    ),
    capacityTargetPercent: s.integer(`${base}capacityTargetPercent`, 70, 10, 100),
    env: {},
  };
  if (/(^|:)latest$/.test(settings.image))
    s.errors.push(`${base}image: "latest" is a floating tag; use a version or digest`);
  const env: unknown = own.env ?? {};
  if (typeof env !== "object" || env === null || Array.isArray(env))
    s.errors.push(`${base}env: expected a map of variables`);
  else {
    const readable = envVariables(entry.tokens);
    for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
      const variable = readable[name];
      if (variable === undefined)
        s.errors.push(`${base}env.${name}: ${entry.name} does not read it (docs/runtime-contract.md)`);
      else if (variable.secret)
        s.errors.push(`${base}env.${name}: a secret; the platform passes it from a Secret`);
      else if (PLATFORM_SET_ENV.has(name))
        s.errors.push(`${base}env.${name}: set by the platform from its own config (infra/README.md)`);
      else if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
        s.errors.push(`${base}env.${name}: expected a string, number or boolean`);
      else (settings.env as Record<string, string>)[name] = String(value);
    }
  }
  if (settings.minReplicas > settings.maxReplicas)
    s.errors.push(
      `${base}minReplicas: ${settings.minReplicas} is above ${base}maxReplicas ${settings.maxReplicas}`,
    );
  r.errors.push(...s.errors);
  return settings;
}

/** Every service's config; a name in `services` that the catalogue does not have is an error. */
function readServices(
  r: Reader,
  catalogue: readonly ServiceEntry[],
): { services: Record<string, ServiceSettings>; deprecatedKeys: string[] } {
  const given = r.object("services") ?? {};
  const names = catalogue.map((e) => e.name);
  for (const name of Object.keys(given))
    if (!names.includes(name))
      r.errors.push(`services.${name}: not in the service catalogue (services.json has ${names.join(", ")})`);
  const deprecatedKeys: string[] = [];
  const services: Record<string, ServiceSettings> = {};
  for (const entry of catalogue) {
    const own = given[entry.name];
    if (own !== undefined && (typeof own !== "object" || own === null || Array.isArray(own)))
      r.errors.push(`services.${entry.name}: expected an object of settings`);
    const fields = typeof own === "object" && own !== null && !Array.isArray(own) ? own : {};
    services[entry.name] = readService(r, entry, fields as Record<string, unknown>, deprecatedKeys);
  }
  return { services, deprecatedKeys };
}

/**
 * A secret per service (`mongodbPasswords.<name>`, `mongodbUris.<name>`), else its pre-catalogue key
 * (`mongodb<Prefix>Password`, `<prefix>MongodbUri`) recorded as deprecated.
 */
function readPerService(
  r: Reader,
  key: string,
  legacy: (prefix: string) => string,
  catalogue: readonly ServiceEntry[],
  deprecated: string[],
): Record<string, string> {
  const given = r.secretObject(key) ?? {};
  const names = catalogue.map((e) => e.name);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!names.includes(name)) r.errors.push(`${key}.${name}: not in the service catalogue`);
    else if (typeof value !== "string" || value === "") r.errors.push(`${key}.${name}: expected a string`);
    else values[name] = value;
  }
  for (const entry of catalogue) {
    if (values[entry.name] !== undefined || entry.legacyConfigPrefix === undefined) continue;
    const name = legacy(entry.legacyConfigPrefix);
    const value = r.source.get(name);
    if (value !== undefined && value !== "") {
      values[entry.name] = value;
      deprecated.push(name);
    }
  }
  return values;
}

/** `jwtVerificationKeys` (secret, a list of PEMs): undefined when unset. Problems are named without the values. */
function readVerificationKeys(r: Reader): string[] | undefined {
  r.secretKeys.add("jwtVerificationKeys");
  if (!r.has("jwtVerificationKeys")) return undefined;
  const raw = r.optional("jwtVerificationKeys") ?? "[]";
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === "string")) {
    r.errors.push("jwtVerificationKeys: expected a list of PEM private keys");
    return undefined;
  }
  for (const [i, pem] of parsed.entries()) {
    const problem = ed25519KeyProblem(pem);
    if (problem) r.errors.push(`jwtVerificationKeys[${i}]: ${problem}`);
  }
  return parsed;
}

/** The problem with a PEM that should be an Ed25519 PKCS#8 private key, or undefined when it is one. */
export function ed25519KeyProblem(pem: string): string | undefined {
  if (!pem.includes("-----BEGIN PRIVATE KEY-----"))
    return "expected a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)";
  try {
    const type = createPrivateKey(pem).asymmetricKeyType;
    return type === "ed25519" ? undefined : `expected an Ed25519 key, got ${String(type)}`;
  } catch {
    return "not a readable private key";
  }
}

function readSecrets(
  r: Reader,
  catalogue: readonly ServiceEntry[],
  deprecated: string[],
): PlatformSecretsConfig {
  const secrets: PlatformSecretsConfig = {
    kubeconfig: r.secret("kubeconfig"),
    jwtSigningKey: r.secret("jwtSigningKey"),
    jwtVerificationKeys: readVerificationKeys(r),
    mongodbPasswords: readPerService(
      r,
      "mongodbPasswords",
      (prefix) => legacyKey("mongodb", legacyKey(prefix, "password")),
      catalogue,
      deprecated,
    ),
    mongodbBackupPassword: r.secret("mongodbBackupPassword"),
    mongodbUris: readPerService(
      r,
      "mongodbUris",
      (prefix) => legacyKey(prefix, "mongodbUri"),
      catalogue,
      deprecated,
    ),
    backupMongodbUri: r.secret("backupMongodbUri"),
    gatewayTlsCertificate: r.secret("gatewayTlsCertificate"),
    gatewayTlsPrivateKey: r.secret("gatewayTlsPrivateKey"),
  };
  // Messages name the key and the problem, never the value.
  if (secrets.jwtSigningKey !== undefined) {
    const problem = ed25519KeyProblem(secrets.jwtSigningKey);
    if (problem) r.errors.push(`jwtSigningKey: ${problem}`);
  }
  const uris: [string, string | undefined][] = [
    ...Object.entries(secrets.mongodbUris).map(([name, uri]): [string, string] => [
      `mongodbUris.${name}`,
      uri,
    ]),
    ["backupMongodbUri", secrets.backupMongodbUri],
  ];
  for (const [key, uri] of uris)
    if (uri !== undefined && !MONGODB_URI.test(uri))
      r.errors.push(`${key}: expected a mongodb:// or mongodb+srv:// connection string`);
  const cert = secrets.gatewayTlsCertificate;
  const key = secrets.gatewayTlsPrivateKey;
  if ((cert === undefined) !== (key === undefined)) {
    r.errors.push("gatewayTlsCertificate: set together with gatewayTlsPrivateKey (both or neither)");
  }
  if (cert !== undefined && !cert.includes("-----BEGIN CERTIFICATE-----"))
    r.errors.push("gatewayTlsCertificate: expected a PEM certificate (chain)");
  if (key !== undefined && !/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(key))
    r.errors.push("gatewayTlsPrivateKey: expected a PEM private key");
  if (secrets.kubeconfig !== undefined && !/\b(clusters|apiVersion)\b/.test(secrets.kubeconfig))
    r.errors.push("kubeconfig: expected a kubeconfig document (YAML or JSON)");
  return secrets;
}

const DURATION = /^[1-9]\d*[smhdw]$/;
const IMAGE_REF = /^\S+[:@]\S+$/;

/**
 * The metrics stack: in the cluster by default on a generic cluster (the only way its services can scale on
 * requests there); off on GKE, where Managed Prometheus collects (`podMonitoring`) and traffic-based autoscaling
 * scales on the load balancer's request rate.
 */
function readMetrics(r: Reader, onGke: boolean): MetricsSettings {
  const given = r.object("metricsImages") ?? {};
  const images = { ...DEFAULT_METRICS_IMAGES };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in images)) {
      r.errors.push(`metricsImages.${key}: unknown image; expected one of ${Object.keys(images).join(", ")}`);
      continue;
    }
    if (typeof value !== "string" || !IMAGE_REF.test(value))
      r.errors.push(`metricsImages.${key}: expected a pinned image reference, got ${JSON.stringify(value)}`);
    else images[key as keyof typeof images] = value as never;
  }
  return {
    stack: r.oneOf<"in-cluster" | "none">(
      "metricsStack",
      ["in-cluster", "none"],
      onGke ? "none" : "in-cluster",
    ),
    namespace: r.matching("metricsNamespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", "monitoring"),
    retention: r.matching("metricsRetention", DURATION, "a duration such as 3d", "3d"),
    storageLimit: r.matching("metricsStorageLimit", QUANTITY, "a storage quantity such as 2Gi", "2Gi"),
    images,
    ingressCidrs: r.cidrArray("metricsIngressCidrs"),
    nodePorts: {
      victoriaMetrics: r.integer("metricsNodePort", 0, 0, 32767),
      vmalert: r.integer("alertsNodePort", 0, 0, 32767),
    },
    alertForPercent: r.integer("alertForPercent", 100, 1, 100),
    rateWindow: r.matching("metricsRateWindow", DURATION, "a PromQL duration such as 5m", "5m"),
  };
}

/** Parses and validates a configuration source. Throws a ConfigValidationError listing every bad key. */
export function parsePlatformConfig(
  source: ConfigSource,
  stack: string,
  catalogue: readonly ServiceEntry[] = SERVICES,
): { config: PlatformConfig; keys: Set<string>; secretKeys: Set<string> } {
  const r = new Reader(source);
  const { services, deprecatedKeys } = readServices(r, catalogue);
  const cloudStack = r.optional("cloudStack");
  if (cloudStack !== undefined && !STACK_NAME.test(cloudStack))
    r.errors.push(`cloudStack: expected <organization>/<project>/<stack>, got "${cloudStack}"`);
  const clusterFlavor = r.oneOf<ClusterFlavor>("clusterFlavor", ["gke", "generic"], "gke");
  const onGke = clusterFlavor === "gke";
  const mongodbMode = r.oneOf("mongodbMode", ["operator", "external"], "operator");
  const gke: GkeFeatures = {
    gatewayPolicies: r.boolean("gkeGatewayPolicies", onGke),
    trafficAutoscaling: r.boolean("trafficAutoscaling", onGke),
    workloadIdentity: r.boolean("workloadIdentity", onGke),
    podMonitoring: r.boolean("podMonitoring", onGke),
    // An external database (Atlas, an existing replica set) comes with its own backups.
    backup: r.boolean("backup", onGke && mongodbMode === "operator"),
  };
  // 0 (the declared default) = take it from the cloud stack, else 1.
  const zoneCount = r.integer("zoneCount", 0, 0, 10);
  const domain = r.optional("domain");
  if (domain !== undefined && !DNS_NAME.test(domain))
    r.errors.push(`domain: expected a DNS name such as api.example.com, got "${domain}"`);
  const publicUrl = r.optional("publicUrl");
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+$/.test(publicUrl))
    r.errors.push(`publicUrl: expected https://<host>[:<port>] without a path, got "${publicUrl}"`);
  // [] (the declared default) = take them from the cloud stack.
  const apiServerList = r.cidrArray("apiServerCidrs");
  const apiServerCidrs = apiServerList.length > 0 ? apiServerList : undefined;

  const gatewayClassName = r.string("gatewayClassName", onGke ? "gke-l7-global-external-managed" : undefined);
  const allowedGatewayClasses = r.stringArray("allowedGatewayClasses");
  if (
    gatewayClassName !== "" &&
    !(KNOWN_GATEWAY_CLASSES as readonly string[]).includes(gatewayClassName) &&
    !allowedGatewayClasses.includes(gatewayClassName)
  ) {
    r.errors.push(
      `gatewayClassName: unknown class "${gatewayClassName}"; expected one of ${KNOWN_GATEWAY_CLASSES.join(", ")}, or list it in allowedGatewayClasses`,
    );
  }

  const metrics = readMetrics(r, onGke);

  const config: PlatformConfig = {
    production: r.boolean("production", false),
    cloudStack,
    clusterFlavor,
    gke,
    metrics,
    namespace: r.matching("namespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", DEFAULT_NAMESPACE),
    protectResources: r.boolean("protectResources", true),
    cluster: {
      registryUrl: r.optional("registryUrl"),
      zoneCount: zoneCount === 0 ? undefined : zoneCount,
      domain,
      gatewayAddressName: r.optional("gatewayAddressName"),
      certificateMapName: r.optional("certificateMapName"),
      sslPolicyName: r.optional("sslPolicyName"),
      securityPolicyName: r.optional("securityPolicyName"),
      backupBucket: r.optional("backupBucket"),
      backupServiceAccount: r.optional("backupServiceAccount"),
      apiServerCidrs,
    },
    secrets: readSecrets(r, catalogue, deprecatedKeys),
    publicUrl,
    gatewayClassName,
    gatewayHttpPort: r.integer("gatewayHttpPort", 80, 1, 65535),
    gatewayHttpsPort: r.integer("gatewayHttpsPort", 443, 1, 65535),
    gatewaySourceRanges: r.cidrArray("gatewaySourceRanges", GCLB_SOURCE_RANGES),
    apiServerPort: r.integer("apiServerPort", 443, 1, 65535),
    imagePullPolicy: r.oneOf("imagePullPolicy", ["Always", "IfNotPresent", "Never"], "IfNotPresent"),
    services,
    deprecatedKeys,
    hpaScaleUpStabilizationSeconds: r.integer("hpaScaleUpStabilizationSeconds", 0, 0, 3600),
    hpaScaleDownStabilizationSeconds: r.integer("hpaScaleDownStabilizationSeconds", 300, 0, 3600),
    // 0 (the declared default) = by flavor: GKE's global external ALB appends "<client>, <load balancer IP>" (two
    // hops); a Gateway running in or beside the cluster (Traefik, Envoy Gateway, nginx) appends the client (one).
    gatewayProxyHops: r.integer("gatewayProxyHops", 0, 0, 5) || (onGke ? 2 : 1),
    jwtAudience: r.matching("jwtAudience", /^\S+$/, "a non-empty audience", "jobs-api"),
    preStopSleepSeconds: r.integer("preStopSleepSeconds", 15, 0, 120),
    // The Kubernetes provider's own default for a Deployment; a new regional cluster's first rollout fits in it.
    rolloutTimeoutSeconds: r.integer("rolloutTimeoutSeconds", 600, 30, 3600),
    mongodbMode,
    mongodbNamespace: r.matching("mongodbNamespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", "mongodb"),
    ferretdbWorkarounds: r.boolean("ferretdbWorkarounds", mongodbMode === "external"),
    mongodbEgressCidrs: r.cidrArray("mongodbEgressCidrs"),
    mongodbMembers: r.integer("mongodbMembers", 3, 1, 7),
    mongodbZoneAntiAffinity: r.has("mongodbZoneAntiAffinity")
      ? r.oneOf<"required" | "preferred">("mongodbZoneAntiAffinity", ["required", "preferred"], "required")
      : undefined,
    mongodbVersion: r.matching("mongodbVersion", /^8\.0\.\d+$/, "a pinned 8.0.x version", "8.0.12"),
    mongodbStorageSize: r.matching("mongodbStorageSize", QUANTITY, "a storage quantity such as 20Gi", "20Gi"),
    mongodbStorageClass: r.matching(
      "mongodbStorageClass",
      /^[a-z0-9-]*$/,
      "a StorageClass",
      onGke ? "premium-rwo" : "",
    ),
    mongodbCpuRequest: r.matching("mongodbCpuRequest", QUANTITY, "a CPU quantity", "500m"),
    mongodbMemoryRequest: r.matching("mongodbMemoryRequest", QUANTITY, "a memory quantity", "1Gi"),
    mongodbMemoryLimit: r.matching("mongodbMemoryLimit", QUANTITY, "a memory quantity", "2Gi"),
    mongodbOperatorChartVersion: r.matching(
      "mongodbOperatorChartVersion",
      /^\d+\.\d+\.\d+$/,
      "x.y.z",
      "1.10.1",
    ),
    backupSchedule: r.matching("backupSchedule", CRON, "a five-field cron expression", "0 3 * * *"),
    backupToolsImage: r.matching(
      "backupToolsImage",
      /^\S+[:@]\S+$/,
      "a pinned image",
      "docker.io/library/mongo:8.0.12@sha256:95a98776f273721a295b03098578b06bc10281bb56aa828c77e9f60ecc70b150",
    ),
    backupUploaderImage: r.matching(
      "backupUploaderImage",
      /^\S+[:@]\S+$/,
      "a pinned image",
      "gcr.io/google.com/cloudsdktool/google-cloud-cli:562.0.0-slim@sha256:0da2de42ae51cd6092b5caf7c96d25003659fd15548760eb4c50c2623e7bf9c2",
    ),
  };

  if (config.gatewayHttpPort === config.gatewayHttpsPort)
    r.errors.push("gatewayHttpsPort: must differ from gatewayHttpPort");
  if (config.mongodbMembers % 2 === 0) {
    r.errors.push(
      `mongodbMembers: ${config.mongodbMembers} members cannot elect a primary after losing half; use an odd number`,
    );
  }
  if (
    config.mongodbMode === "operator" &&
    [config.namespace, config.metrics.namespace].includes(config.mongodbNamespace)
  )
    r.errors.push(
      "mongodbNamespace: must differ from namespace and metricsNamespace (the operator's Role may read every Secret in its namespace)",
    );
  if (config.mongodbMode === "external") {
    for (const entry of catalogue) {
      if (config.secrets.mongodbUris[entry.name] === undefined)
        r.errors.push(
          `mongodbUris.${entry.name}: required when mongodbMode is external, set it with \`pulumi config set --secret --path 'mongodbUris["${entry.name}"]' mongodb://...\``,
        );
    }
    if (config.mongodbEgressCidrs.length === 0)
      r.errors.push(
        "mongodbEgressCidrs: required when mongodbMode is external (where the database is; 0.0.0.0/0 for a service without fixed addresses)",
      );
    if (config.gke.backup && config.secrets.backupMongodbUri === undefined)
      r.errors.push("backupMongodbUri: required when backup is on and mongodbMode is external");
  }
  if (config.cloudStack === undefined) {
    // Bring your own cluster: what the cloud stack would have generated must come from encrypted config.
    const needed: string[] = [];
    if (config.secrets.jwtSigningKey === undefined) needed.push("jwtSigningKey");
    if (config.mongodbMode === "operator") {
      for (const entry of catalogue)
        if (config.secrets.mongodbPasswords[entry.name] === undefined)
          needed.push(`mongodbPasswords.${entry.name}`);
      if (config.secrets.mongodbBackupPassword === undefined) needed.push("mongodbBackupPassword");
    }
    for (const key of needed)
      r.errors.push(
        `${key}: required without cloudStack, create it with \`infra/scripts/init-secrets.sh ${stack}\` (pulumi config set --secret)`,
      );
    if (config.publicUrl === undefined && config.cluster.domain === undefined)
      r.errors.push(
        "publicUrl: required without cloudStack when domain is not set (the JWT issuer and gatewayUrl)",
      );
  }
  if (config.production) {
    for (const [name, settings] of Object.entries(config.services))
      if (settings.minReplicas < 2)
        r.errors.push(`services.${name}.minReplicas: a production stack (production: true) needs at least 2`);
    if (config.mongodbMode === "operator" && config.mongodbMembers < 3)
      r.errors.push("mongodbMembers: a production stack (production: true) needs at least 3");
  }
  r.finish(stack, "platform");
  return { config, keys: r.keys, secretKeys: r.secretKeys };
}

/** Reads the current stack's configuration from Pulumi. */
export function loadPlatformConfig(): PlatformConfig {
  return parsePlatformConfig(pulumiConfigSource(), pulumi.getStack()).config;
}
