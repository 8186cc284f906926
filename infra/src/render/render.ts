/**
 * Renders a stack offline: loads `Pulumi.yaml` + `Pulumi.<stack>.yaml`, runs the program under mocks, and writes
 * `.rendered/<stack>/kubernetes.yaml` (every Kubernetes object; Helm releases as a leading comment with their
 * values) and `.rendered/<stack>/resources.json` (`[{type, name, inputs}]`, secrets redacted).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { parse, stringify } from "yaml";

import { parseConfig } from "../config.js";
import { createPlatform } from "../program.js";
import { MOCK_SECRET_MARKER, redact, runUnderMocks, type RecordedResource } from "./mocks.js";

/** Type token of Helm releases (rendered as comments, not objects). */
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** Reads the project name and the stack's config as the CLI would hand it to the program. */
export async function loadStackConfig(infraDir: string, stack: string) {
  const project = parse(await readFile(path.join(infraDir, "Pulumi.yaml"), "utf8")) as { name: string };
  const stackFile = parse(await readFile(path.join(infraDir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(stackFile?.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      // Encrypted values cannot be read offline; a marked placeholder proves they never surface in the output.
      config[key] = `${MOCK_SECRET_MARKER}-config`;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { project: project.name, config, secretKeys };
}

/** Runs the program for `stack` under mocks with the stack's config. */
export async function runStack(infraDir: string, stack: string, overrides: Record<string, string> = {}) {
  const { project, config, secretKeys } = await loadStackConfig(infraDir, stack);
  const merged = { ...config, ...overrides };
  const prefix = `${project}:`;
  const get = (key: string) => merged[`${prefix}${key}`];
  // Parsed before the mocked stack starts, so a bad config is one clean error rather than a failed stack.
  const { config: platformConfig } = parseConfig({ get }, stack);
  return runUnderMocks(() => createPlatform(platformConfig), {
    project,
    stack,
    config: merged,
    secretKeys,
  });
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

/** Every custom resource (GCP, Kubernetes, providers, random, tls) with secrets redacted. */
export function toResourceList(resources: RecordedResource[]) {
  return resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, inputs: redact(r.inputs) }));
}

/** Renders `stack` into `<infraDir>/.rendered/<stack>/`. Returns the paths written. */
export async function renderStack(infraDir: string, stack: string) {
  const { resources: unordered } = await runStack(infraDir, stack);
  // Registration order depends on promise timing; sorting keeps renders diffable.
  const resources = [...unordered].sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
  const outDir = path.join(infraDir, ".rendered", stack);
  await mkdir(outDir, { recursive: true });
  const manifest = path.join(outDir, "kubernetes.yaml");
  const list = path.join(outDir, "resources.json");
  await writeFile(manifest, toManifest(resources));
  await writeFile(list, `${JSON.stringify(toResourceList(resources), null, 2)}\n`);
  return { manifest, resources: list, count: resources.length };
}
