/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { parseAllDocuments } from "yaml";

export const infraDir = path.resolve(import.meta.dirname, "..", "..");
/** Upstream CRDs shared by the project (outside the repository, next to it). */
export const crdDir = path.resolve(infraDir, "..", "..", "shared", "crds");
/** Stacks with both layers (a GKE cluster from the cloud stack). */
export const STACKS = ["dev", "prod"] as const;
export type StackName = (typeof STACKS)[number];
/** Every rendered platform stack: the GKE ones and the local "bring your own cluster" example. */
export const PLATFORM_STACKS = [...STACKS, "local.example"] as const;
export type PlatformStackName = (typeof PLATFORM_STACKS)[number];

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any;
  [key: string]: unknown;
}

function renderedPath(stack: string, layer: "cloud" | "platform", file: string): string {
  const p = path.join(infraDir, ".rendered", stack, layer, file);
  if (!existsSync(p)) {
    throw new Error(
      `${p} is missing: run \`pnpm --filter infra render -- --stack ${stack}\` (the tests' global setup does)`,
    );
  }
  return p;
}

export function renderedText(
  stack: string,
  layer: "cloud" | "platform",
  file: "kubernetes.yaml" | "resources.json",
): string {
  return readFileSync(renderedPath(stack, layer, file), "utf8");
}

/** Every document of the rendered platform manifest. */
export function renderedObjects(stack: PlatformStackName): K8sObject[] {
  return parseAllDocuments(renderedText(stack, "platform", "kubernetes.yaml"))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function renderedResources(
  stack: string,
  layer: "cloud" | "platform",
): { type: string; name: string; inputs: any }[] {
  return JSON.parse(renderedText(stack, layer, "resources.json"));
}

const CORE_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "policy",
  "autoscaling",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "apiregistration.k8s.io",
]);

/** True for kinds served by Kubernetes itself (validated with kubernetes-validate); the rest are CRDs. */
export function isCoreKind(o: K8sObject): boolean {
  return CORE_GROUPS.has(o.apiVersion.includes("/") ? o.apiVersion.split("/")[0]! : "");
}
