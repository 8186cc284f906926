/**
 * Where the platform layer's cluster values come from: the cloud stack's outputs through a StackReference when
 * `cloudStack` is set, otherwise ("bring your own cluster") the stack's own config. A value set in config always
 * wins. The result is checked once, before any Kubernetes object is declared, and each problem names its key.
 */
import { SERVICES, type ServiceEntry } from "@platform/contract";
import * as pulumi from "@pulumi/pulumi";

import { ConfigValidationError } from "../shared/config-reader.js";
import { CLOUD_OUTPUTS } from "../shared/contract.js";
import { ed25519KeyProblem, type PlatformConfig } from "./config.js";

/** Everything the platform program needs from "the cluster", resolved to plain values. */
export interface ClusterInputs {
  /** Undefined = the ambient kubeconfig (KUBECONFIG / default context). Secret. */
  kubeconfig: string | undefined;
  registryUrl: string | undefined;
  zoneCount: number;
  domain: string | undefined;
  gatewayAddressName: string | undefined;
  certificateMapName: string | undefined;
  sslPolicyName: string | undefined;
  securityPolicyName: string | undefined;
  backupBucket: string | undefined;
  backupServiceAccount: string | undefined;
  apiServerCidrs: readonly string[];
  /** Secret: the key that signs. */
  jwtSigningKey: string;
  /** Secret: keys published for verification only (a rotation's next or old key). */
  jwtVerificationKeys: readonly string[];
  /** Secret; present in operator mode: each service's database user's password, and the backup user's. */
  mongodbPasswords: { services: Readonly<Record<string, string>>; backup: string } | undefined;
}

type OutputName = keyof typeof CLOUD_OUTPUTS;

/** Reads stack outputs by name; undefined when the stack does not export it. */
export type OutputReader = (name: OutputName) => Promise<unknown>;

/** An {@link OutputReader} over a StackReference: secret and plain outputs alike, as plain values in memory. */
export function stackReferenceReader(stackName: string): OutputReader {
  const ref = new pulumi.StackReference("cloud", { name: stackName });
  return async (name) => {
    const details = await ref.getOutputDetails(CLOUD_OUTPUTS[name]);
    return (details.secretValue ?? details.value) as unknown;
  };
}

const none: OutputReader = () => Promise.resolve(undefined);

/** Merges config over the cloud stack's outputs and checks the result. Throws ConfigValidationError. */
export async function resolveClusterInputs(
  cfg: PlatformConfig,
  read: OutputReader = cfg.cloudStack ? stackReferenceReader(cfg.cloudStack) : none,
  catalogue: readonly ServiceEntry[] = SERVICES,
): Promise<ClusterInputs> {
  const errors: string[] = [];
  const from = cfg.cloudStack ? `cloud stack ${cfg.cloudStack}` : "config";
  const text = async (name: OutputName, configured: string | undefined) => {
    if (configured !== undefined) return configured;
    const value = await read(name);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
      errors.push(`${name}: ${from} exports a ${typeof value}, expected a string`);
      return undefined;
    }
    return value;
  };
  const s = cfg.secrets;
  const c = cfg.cluster;
  const verificationKeys = async (): Promise<string[]> => {
    const value = await read("jwtVerificationKeys");
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((k) => typeof k === "string")) {
      for (const [i, pem] of value.entries()) {
        const problem = ed25519KeyProblem(pem);
        if (problem) errors.push(`jwtVerificationKeys[${i}]: ${from} exports a value that is ${problem}`);
      }
      return value;
    }
    errors.push(`jwtVerificationKeys: ${from} exports a ${typeof value}, expected a list of PEMs`);
    return [];
  };
  const zones = c.zoneCount ?? (await read("zoneCount"));
  const cidrs = c.apiServerCidrs ?? (await read("apiServerCidrs"));
  const exported = await read("mongodbPasswords");
  const servicePasswords: Record<string, string> = {};
  for (const entry of catalogue) {
    const configured = s.mongodbPasswords[entry.name];
    const value =
      configured ??
      (typeof exported === "object" && exported !== null
        ? (exported as Record<string, unknown>)[entry.name]
        : undefined);
    if (typeof value === "string" && value !== "") servicePasswords[entry.name] = value;
  }
  const backupPassword = await text("mongodbBackupPassword", s.mongodbBackupPassword);
  const inputs: ClusterInputs = {
    kubeconfig: await text("kubeconfig", s.kubeconfig),
    registryUrl: await text("registryUrl", c.registryUrl),
    zoneCount: typeof zones === "number" && Number.isInteger(zones) && zones > 0 ? zones : 1,
    domain: await text("domain", c.domain),
    gatewayAddressName: await text("gatewayAddressName", c.gatewayAddressName),
    certificateMapName: await text("certificateMapName", c.certificateMapName),
    sslPolicyName: await text("sslPolicyName", c.sslPolicyName),
    securityPolicyName: await text("securityPolicyName", c.securityPolicyName),
    backupBucket: await text("backupBucket", c.backupBucket),
    backupServiceAccount: await text("backupServiceAccount", c.backupServiceAccount),
    apiServerCidrs: Array.isArray(cidrs) ? cidrs.filter((x): x is string => typeof x === "string") : [],
    jwtSigningKey: (await text("jwtSigningKey", s.jwtSigningKey)) ?? "",
    jwtVerificationKeys: s.jwtVerificationKeys ?? (await verificationKeys()),
    mongodbPasswords: undefined,
  };

  const missing = (key: string, why: string) =>
    errors.push(`${key}: required ${why}; set it in config or export it from the cloud stack (${from})`);
  if (inputs.jwtSigningKey === "") missing("jwtSigningKey", "(the token issuer's signing key)");
  else if (s.jwtSigningKey === undefined) {
    const problem = ed25519KeyProblem(inputs.jwtSigningKey);
    if (problem) errors.push(`jwtSigningKey: ${from} exports a value that is ${problem}`);
  }
  if (cfg.mongodbMode === "operator") {
    const absent = catalogue.filter((entry) => servicePasswords[entry.name] === undefined);
    for (const entry of absent) missing(`mongodbPasswords.${entry.name}`, "in operator mode");
    if (backupPassword === undefined) missing("mongodbBackupPassword", "in operator mode");
    if (absent.length === 0 && backupPassword !== undefined)
      inputs.mongodbPasswords = { services: servicePasswords, backup: backupPassword };
    if (inputs.apiServerCidrs.length === 0)
      missing(
        "apiServerCidrs",
        "in operator mode (the operator and MongoDB agents call the API server; `kubectl get endpoints kubernetes -n default`)",
      );
  }
  if (cfg.metrics.stack === "in-cluster" && inputs.apiServerCidrs.length === 0)
    missing(
      "apiServerCidrs",
      "with metricsStack in-cluster (the store and kube-state-metrics call the API server, which calls prometheus-adapter; `kubectl get endpoints kubernetes -n default`)",
    );
  const usesImageTags = Object.values(cfg.services).some((service) => !service.image.includes("/"));
  if (usesImageTags && inputs.registryUrl === undefined)
    missing("registryUrl", "when a service's image is a bare tag or digest");
  const tlsFromConfig = s.gatewayTlsCertificate !== undefined;
  if (!tlsFromConfig && inputs.certificateMapName === undefined)
    missing("gatewayTlsCertificate", "(with gatewayTlsPrivateKey) unless a certificateMapName is given");
  if (cfg.gke.backup) {
    if (inputs.backupBucket === undefined) missing("backupBucket", "when backup is on");
    if (cfg.gke.workloadIdentity && inputs.backupServiceAccount === undefined)
      missing("backupServiceAccount", "when backup and workloadIdentity are on");
  }
  if (cfg.publicUrl === undefined && inputs.domain === undefined)
    missing("publicUrl", "when no domain is known (the JWT issuer and gatewayUrl)");

  const required = zoneAntiAffinity(cfg, inputs) === "required";
  if (cfg.mongodbMode === "operator" && required && cfg.mongodbMembers > inputs.zoneCount) {
    errors.push(
      `mongodbMembers: ${cfg.mongodbMembers} members with required zone anti-affinity need as many zones, the cluster has ${inputs.zoneCount} (zoneCount); lower mongodbMembers or set mongodbZoneAntiAffinity=preferred`,
    );
  }
  if (errors.length > 0) {
    throw new ConfigValidationError(
      `invalid platform configuration for stack "${pulumi.getStack()}":\n  - ${errors.join("\n  - ")}`,
    );
  }
  return inputs;
}

/** The replica set's zone anti-affinity for these inputs. */
export function zoneAntiAffinity(cfg: PlatformConfig, inputs: ClusterInputs): "required" | "preferred" {
  return cfg.mongodbZoneAntiAffinity ?? (inputs.zoneCount > 1 ? "required" : "preferred");
}
