/**
 * Renders a stack of either layer offline: loads `<layer>/Pulumi.yaml` (its declared defaults applied, as the
 * engine does) + `<layer>/Pulumi.<stack>.yaml`, runs the layer's program under mocks, and writes
 * `.rendered/<stack>/<layer>/resources.json` (`[{type, name, inputs}]`, secrets redacted) and, for the platform
 * layer, `.rendered/<stack>/platform/kubernetes.yaml` (every Kubernetes object; Helm releases as a leading comment
 * with their values). A platform stack with `cloudStack` reads the mocked outputs of the cloud stack of the same
 * name, so the two layers are rendered against each other.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { SERVICES, type ServiceEntry } from "@platform/contract";
import { parse, stringify } from "yaml";

import { parseCloudConfig } from "../cloud/config.js";
import { createCloud } from "../cloud/program.js";
import { resolveClusterInputs } from "../platform/cluster-inputs.js";
import { parsePlatformConfig } from "../platform/config.js";
import { createPlatform } from "../platform/program.js";
import {
  MOCK_SECRET_MARKER,
  mockEd25519Pem,
  mockSecret,
  redact,
  resolveOutputs,
  runUnderMocks,
  type RecordedResource,
  type StackOutputs,
} from "./mocks.js";

/** Type token of Helm releases (rendered as comments, not objects). */
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export type Layer = "cloud" | "platform";

/** Mock values for the platform's secret keys, shaped so validation accepts them; each carries the marker. */
const mockSecretConfig = (catalogue: readonly ServiceEntry[] = SERVICES): Record<string, () => string> => ({
  jwtSigningKey: () => mockEd25519Pem("config:jwtSigningKey"),
  jwtVerificationKeys: () => "[]",
  // One per service of the default catalogue; a test with its own catalogue sets its own.
  mongodbPasswords: () =>
    JSON.stringify(
      Object.fromEntries(catalogue.map((s) => [s.name, mockSecret(`config:mongodbPasswords.${s.name}`)])),
    ),
  mongodbBackupPassword: () => mockSecret("config:mongodbBackupPassword"),
  mongodbUris: () =>
    JSON.stringify(
      Object.fromEntries(
        catalogue.map((s) => [
          s.name,
          `mongodb://${s.name}:${mockSecret(`uri:${s.name}`)}@db.internal:27017/${s.database}`,
        ]),
      ),
    ),
  backupMongodbUri: () => `mongodb://backup:${mockSecret("uri:backup")}@db.internal:27017/?authSource=admin`,
  gatewayTlsCertificate: () =>
    `-----BEGIN CERTIFICATE-----\n${mockSecret("tls:crt")}\n-----END CERTIFICATE-----\n`,
  gatewayTlsPrivateKey: () =>
    `-----BEGIN PRIVATE KEY-----\n${mockSecret("tls:key")}\n-----END PRIVATE KEY-----\n`,
});

/** The `Pulumi.<stack>.yaml` of a layer, if the stack exists there. */
export function stackFile(infraDir: string, layer: Layer, stack: string): string {
  return path.join(infraDir, layer, `Pulumi.${stack}.yaml`);
}

const asConfigString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** True when a config value is encrypted, or is an object holding an encrypted value (`--secret --path`). */
const isEncrypted = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  ("secure" in value || Object.values(value).some((inner) => isEncrypted(inner)));

/** Reads the project name and the stack's config as the CLI would hand it to the program. */
export async function loadStackConfig(infraDir: string, layer: Layer, stack: string) {
  const project = parse(await readFile(path.join(infraDir, layer, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { default?: unknown }>;
  };
  const file = parse(await readFile(stackFile(infraDir, layer, stack), "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  // The engine applies the project's declared defaults first; stack values override them.
  for (const [key, decl] of Object.entries(project.config)) {
    if (decl.default !== undefined) config[`${project.name}:${key}`] = asConfigString(decl.default);
  }
  for (const [key, value] of Object.entries(file?.config ?? {})) {
    if (isEncrypted(value)) {
      // Encrypted values cannot be read offline; a marked mock of the right shape stands in.
      const name = key.split(":")[1] ?? key;
      config[key] = mockSecretConfig()[name]?.() ?? `${MOCK_SECRET_MARKER}-config`;
      secretKeys.push(key);
    } else {
      config[key] = asConfigString(value);
    }
  }
  return { project: project.name, config, secretKeys };
}

/** Runs the cloud layer for `stack` under mocks with the stack's config. */
export async function runCloudStack(infraDir: string, stack: string, overrides: Record<string, string> = {}) {
  const { project, config, secretKeys } = await loadStackConfig(infraDir, "cloud", stack);
  const merged = { ...config, ...overrides };
  const get = (key: string) => merged[`${project}:${key}`];
  // Parsed before the mocked stack starts, so a bad config is one clean error rather than a failed stack.
  const { config: cloudConfig } = parseCloudConfig({ get }, stack);
  return runUnderMocks(() => createCloud(cloudConfig), { project, stack, config: merged, secretKeys });
}

/** Options for {@link runPlatformStack}. */
export interface PlatformRunOptions {
  /** Config overrides, fully qualified (`gke-platform:key`). */
  overrides?: Record<string, string>;
  /** Outputs of the referenced cloud stack; default: the cloud stack of the same name, rendered under mocks. */
  cloudOutputs?: StackOutputs;
  /** The service catalogue; default: @platform/contract's services.json. */
  catalogue?: readonly ServiceEntry[];
}

/** Runs the platform layer for `stack` under mocks. A referenced cloud stack is rendered first. */
export async function runPlatformStack(infraDir: string, stack: string, options: PlatformRunOptions = {}) {
  const { project, config, secretKeys } = await loadStackConfig(infraDir, "platform", stack);
  const merged = { ...config, ...options.overrides };
  const key = (name: string) => `${project}:${name}`;
  const cloudStack = merged[key("cloudStack")];
  if (!cloudStack) {
    // Bring your own cluster: the secrets a real stack holds encrypted stand in as marked mocks.
    const viaCertMap = Boolean(merged[key("certificateMapName")]);
    for (const [name, mock] of Object.entries(mockSecretConfig(options.catalogue))) {
      const given = merged[key(name)];
      if ((given && given !== "{}") || (viaCertMap && name.startsWith("gatewayTls"))) continue;
      merged[key(name)] = mock();
      secretKeys.push(key(name));
    }
  }
  const catalogue = options.catalogue ?? SERVICES;
  const { config: platformConfig } = parsePlatformConfig(
    { get: (name) => merged[key(name)] },
    stack,
    catalogue,
  );
  let stackReferences: Record<string, StackOutputs> | undefined;
  if (cloudStack) {
    const outputs =
      options.cloudOutputs ??
      (await resolveOutputs((await runCloudStack(infraDir, cloudStack.split("/").pop() ?? stack)).result));
    stackReferences = { [cloudStack]: outputs };
  }
  return runUnderMocks(
    async () =>
      createPlatform(
        platformConfig,
        await resolveClusterInputs(platformConfig, undefined, catalogue),
        catalogue,
      ),
    { project, stack, config: merged, secretKeys, stackReferences },
  );
}

/** Kubernetes objects (Helm releases excluded) with secrets redacted. */
export function kubernetesObjects(resources: RecordedResource[]): Record<string, unknown>[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE_TYPE)
    .map((r) => {
      const inputs = redact(r.inputs) as Record<string, unknown>;
      const { apiVersion, kind, metadata, ...rest } = inputs;
      return { apiVersion, kind, metadata, ...rest };
    });
}

/** The multi-document manifest: Helm releases as comments first, then one document per object. */
export function toManifest(resources: RecordedResource[]): string {
  const header = resources
    .filter((r) => r.type === HELM_RELEASE_TYPE)
    .map((r) => {
      const inputs = redact(r.inputs) as Record<string, unknown>;
      const summary = stringify({ helmRelease: r.name, ...inputs }).trimEnd();
      return summary
        .split("\n")
        .map((line) => `# ${line}`)
        .join("\n");
    })
    .join("\n");
  const docs = kubernetesObjects(resources).map((o) => stringify(o, { lineWidth: 0 }).trimEnd());
  return `${header}\n---\n${docs.join("\n---\n")}\n`;
}

/** Every custom resource (providers included) with secrets redacted. */
export function toResourceList(resources: RecordedResource[]) {
  return resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, inputs: redact(r.inputs) }));
}

const sorted = (resources: RecordedResource[]) =>
  // Registration order depends on promise timing; sorting keeps renders diffable.
  [...resources].sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));

/** Renders every layer that has a `Pulumi.<stack>.yaml` into `<infraDir>/.rendered/<stack>/<layer>/`. */
export async function renderStack(infraDir: string, stack: string) {
  const written: string[] = [];
  let count = 0;
  for (const layer of ["cloud", "platform"] as const) {
    if (!existsSync(stackFile(infraDir, layer, stack))) continue;
    const run =
      layer === "cloud" ? await runCloudStack(infraDir, stack) : await runPlatformStack(infraDir, stack);
    const resources = sorted(run.resources);
    const outDir = path.join(infraDir, ".rendered", stack, layer);
    await mkdir(outDir, { recursive: true });
    const list = path.join(outDir, "resources.json");
    await writeFile(list, `${JSON.stringify(toResourceList(resources), null, 2)}\n`);
    written.push(list);
    if (layer === "platform") {
      const manifest = path.join(outDir, "kubernetes.yaml");
      await writeFile(manifest, toManifest(resources));
      written.push(manifest);
    }
    count += resources.length;
  }
  if (written.length === 0) throw new Error(`no Pulumi.${stack}.yaml in cloud/ or platform/`);
  return { written, count };
}
