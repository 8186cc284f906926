/**
 * Typed stack configuration: the ONE place that reads `pulumi.Config`. Every key read here is declared with a
 * description in Pulumi.yaml (a test keeps the two in sync). Validation collects every problem and fails once with
 * a message that names each key, so a wrong stack file is fixed in one round.
 */
import * as pulumi from "@pulumi/pulumi";

/** Sizing, scaling and image for one service. */
export interface AppConfig {
  /**
   * Full image reference (`<registry>/<path>@sha256:<64 hex>` as CI sets it, or `...:<tag>`), or only a tag
   * (`0.3.1`) or digest (`sha256:...`) of the image in the stack's own Artifact Registry repository.
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
}

/** app-a adds the traffic-based autoscaling knobs. */
export interface AppAConfig extends AppConfig {
  /** Requests per second one pod sustains at the latency objective (`networking.gke.io/max-rate-per-endpoint`). */
  readonly maxRatePerEndpoint: number;
  /** Target for `gclb-capacity-fullness`, percent of `maxRatePerEndpoint`. */
  readonly capacityTargetPercent: number;
}

export interface PlatformConfig {
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
  readonly namespace: string;
  readonly appA: AppAConfig;
  readonly appB: AppConfig;
  readonly jwtAudience: string;
  readonly preStopSleepSeconds: number;
  readonly mongodbMembers: number;
  readonly mongodbVersion: string;
  readonly mongodbStorageSize: string;
  readonly mongodbStorageClass: string;
  readonly mongodbCpuRequest: string;
  readonly mongodbMemoryRequest: string;
  readonly mongodbMemoryLimit: string;
  readonly mongodbOperatorChartVersion: string;
  readonly backupSchedule: string;
  readonly backupRetentionDays: number;
  readonly backupToolsImage: string;
  readonly backupUploaderImage: string;
  readonly alertEmail: string;
}

/** Raised for every invalid stack configuration; the message lists every bad key. */
export class ConfigValidationError extends pulumi.RunError {}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;
const TAG_OR_DIGEST = "(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
const IMAGE = new RegExp(
  `^(${TAG_OR_DIGEST}|[a-z0-9.-]+(:\\d+)?/[a-z0-9._/-]+(@sha256:[a-f0-9]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))$`,
);
const CRON = /^(\S+\s+){4}\S+$/;

/** True for a well-formed IPv4 CIDR. */
export function isCidr(value: string): boolean {
  const m = CIDR.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
}

/**
 * Reads values through a narrow interface so tests can feed plain objects and the program feeds `pulumi.Config`.
 * Everything is read as a string and parsed here: one code path, one set of error messages.
 */
export interface ConfigSource {
  get(key: string): string | undefined;
}

class Reader {
  readonly errors: string[] = [];
  readonly keys = new Set<string>();

  constructor(private readonly source: ConfigSource) {}

  string(key: string, fallback?: string): string {
    this.keys.add(key);
    const value = this.source.get(key) ?? fallback;
    if (value === undefined || value === "") {
      if (fallback === undefined)
        this.errors.push(`${key}: required, set it with \`pulumi config set ${key} <value>\``);
      return fallback ?? "";
    }
    return value;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const raw = this.string(key, String(fallback));
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.errors.push(`${key}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.string(key, String(fallback));
    if (raw !== "true" && raw !== "false") {
      this.errors.push(`${key}: expected true or false, got "${raw}"`);
      return fallback;
    }
    return raw === "true";
  }

  matching(key: string, pattern: RegExp, what: string, fallback?: string): string {
    const value = this.string(key, fallback);
    if (value !== "" && !pattern.test(value)) this.errors.push(`${key}: expected ${what}, got "${value}"`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(value)) {
      this.errors.push(`${key}: expected one of ${allowed.join(", ")}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  cidr(key: string, fallback: string): string {
    const value = this.string(key, fallback);
    if (!isCidr(value)) this.errors.push(`${key}: expected an IPv4 CIDR such as 10.0.0.0/20, got "${value}"`);
    return value;
  }

  /** Arrays come from Pulumi as a JSON string (`pulumi config set --path 'key[0]' ...` or a YAML list). */
  stringArray(key: string): string[] {
    const raw = this.string(key, "[]");
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return parsed;
    } catch {
      // Reported below with the offending value.
    }
    this.errors.push(`${key}: expected a list of strings, got ${raw}`);
    return [];
  }
}

function readApp(
  r: Reader,
  prefix: "appA" | "appB",
  defaults: { cpu: string; cpuLimit: string; memory: string; memoryLimit: string },
): AppConfig {
  const app: AppConfig = {
    image: r.matching(`${prefix}Image`, IMAGE, "an image reference, a tag or sha256:<digest>"),
    minReplicas: r.integer(`${prefix}MinReplicas`, 2, 1, 100),
    maxReplicas: r.integer(`${prefix}MaxReplicas`, 10, 1, 500),
    cpuTargetPercent: r.integer(`${prefix}CpuTargetPercent`, 70, 10, 95),
    cpuRequest: r.matching(`${prefix}CpuRequest`, QUANTITY, "a CPU quantity such as 250m", defaults.cpu),
    cpuLimit: r.matching(`${prefix}CpuLimit`, QUANTITY, "a CPU quantity such as 1", defaults.cpuLimit),
    memoryRequest: r.matching(
      `${prefix}MemoryRequest`,
      QUANTITY,
      "a memory quantity such as 256Mi",
      defaults.memory,
    ),
    memoryLimit: r.matching(
      `${prefix}MemoryLimit`,
      QUANTITY,
      "a memory quantity such as 512Mi",
      defaults.memoryLimit,
    ),
    logLevel: r.oneOf(`${prefix}LogLevel`, ["trace", "debug", "info", "warn", "error", "fatal"], "info"),
  };
  if (/(^|:)latest$/.test(app.image))
    r.errors.push(`${prefix}Image: "latest" is a floating tag; use a version or digest`);
  if (app.minReplicas > app.maxReplicas) {
    r.errors.push(
      `${prefix}MinReplicas: ${app.minReplicas} is above ${prefix}MaxReplicas ${app.maxReplicas}`,
    );
  }
  return app;
}

/** Parses and validates a configuration source. Throws {@link ConfigValidationError} listing every bad key. */
export function parseConfig(
  source: ConfigSource,
  stack: string,
): { config: PlatformConfig; keys: Set<string> } {
  const r = new Reader(source);
  const region = r.matching("region", /^[a-z]+-[a-z]+\d$/, "a region such as europe-west1", "europe-west1");
  const regionalCluster = r.boolean("regionalCluster", true);
  const authorizedNetworks = r.stringArray("authorizedNetworks");
  for (const cidr of authorizedNetworks) {
    if (!isCidr(cidr)) r.errors.push(`authorizedNetworks: "${cidr}" is not an IPv4 CIDR`);
    else if (cidr.endsWith("/0"))
      r.errors.push(`authorizedNetworks: "${cidr}" opens the control plane to the internet`);
  }
  const config: PlatformConfig = {
    project: r.matching("project", /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "a Google Cloud project ID"),
    region,
    regionalCluster,
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
    domain: r.matching(
      "domain",
      /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/,
      "a DNS name such as api.example.com",
    ),
    dnsZone: r.matching("dnsZone", /^([a-z][a-z0-9-]*)?$/, "a Cloud DNS managed zone name", ""),
    cloudArmor: r.boolean("cloudArmor", false),
    cloudArmorRequestsPerMinute: r.integer("cloudArmorRequestsPerMinute", 1200, 10, 1_000_000),
    namespace: r.matching("namespace", /^[a-z][a-z0-9-]{0,62}$/, "a namespace name", "platform"),
    appA: {
      // Memory: app-a peaked at ~330 MiB RSS under load (docs/benchmarks.md).
      ...readApp(r, "appA", { cpu: "250m", cpuLimit: "1", memory: "384Mi", memoryLimit: "768Mi" }),
      // 350 req/s per pod at a 250m CPU request: derived from the benchmark in docs/benchmarks.md.
      maxRatePerEndpoint: r.integer("appAMaxRatePerEndpoint", 350, 1, 100_000),
      capacityTargetPercent: r.integer("appACapacityTargetPercent", 70, 10, 100),
    },
    appB: readApp(r, "appB", { cpu: "500m", cpuLimit: "1", memory: "256Mi", memoryLimit: "512Mi" }),
    jwtAudience: r.matching("jwtAudience", /^\S+$/, "a non-empty audience", "jobs-api"),
    preStopSleepSeconds: r.integer("preStopSleepSeconds", 15, 0, 120),
    mongodbMembers: r.integer("mongodbMembers", 3, 1, 7),
    mongodbVersion: r.matching("mongodbVersion", /^8\.0\.\d+$/, "a pinned 8.0.x version", "8.0.12"),
    mongodbStorageSize: r.matching("mongodbStorageSize", QUANTITY, "a storage quantity such as 20Gi", "20Gi"),
    mongodbStorageClass: r.matching("mongodbStorageClass", /^[a-z0-9-]+$/, "a StorageClass", "premium-rwo"),
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
    backupRetentionDays: r.integer("backupRetentionDays", 14, 1, 3650),
    backupToolsImage: r.matching(
      "backupToolsImage",
      /^\S+[:@]\S+$/,
      "a pinned image",
      "docker.io/library/mongo:8.0.12",
    ),
    backupUploaderImage: r.matching(
      "backupUploaderImage",
      /^\S+[:@]\S+$/,
      "a pinned image",
      "gcr.io/google.com/cloudsdktool/google-cloud-cli:537.0.0-slim",
    ),
    alertEmail: r.matching("alertEmail", /^([^@\s]+@[^@\s]+)?$/, "an e-mail address", ""),
  };
  if (config.nodeMinCount > config.nodeMaxCount) {
    r.errors.push(`nodeMinCount: ${config.nodeMinCount} is above nodeMaxCount ${config.nodeMaxCount}`);
  }
  if (config.mongodbMembers % 2 === 0) {
    r.errors.push(
      `mongodbMembers: ${config.mongodbMembers} members cannot elect a primary after losing half; use an odd number`,
    );
  }
  if (stack === "prod") {
    if (!config.regionalCluster) r.errors.push("regionalCluster: prod must be regional");
    if (config.appA.minReplicas < 2) r.errors.push("appAMinReplicas: prod needs at least 2");
    if (config.appB.minReplicas < 2) r.errors.push("appBMinReplicas: prod needs at least 2");
    if (config.mongodbMembers < 3) r.errors.push("mongodbMembers: prod needs at least 3");
  }
  if (r.errors.length > 0) {
    throw new ConfigValidationError(
      `invalid stack configuration for "${stack}":\n  - ${r.errors.join("\n  - ")}`,
    );
  }
  return { config, keys: r.keys };
}

/** Reads the current stack's configuration from Pulumi. */
export function loadConfig(): PlatformConfig {
  const cfg = new pulumi.Config();
  return parseConfig({ get: (key) => cfg.get(key) }, pulumi.getStack()).config;
}
