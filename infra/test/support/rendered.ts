/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { parseAllDocuments } from "yaml";

export const infraDir = path.resolve(import.meta.dirname, "..", "..");
/** Upstream CRDs shared by the project (outside the repository, next to it). */
export const crdDir = path.resolve(infraDir, "..", "..", "shared", "crds");
export const STACKS = ["dev", "prod"] as const;
export type StackName = (typeof STACKS)[number];

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

function renderedPath(stack: StackName, file: string): string {
  const p = path.join(infraDir, ".rendered", stack, file);
  if (!existsSync(p)) {
    throw new Error(
      `${p} is missing: run \`pnpm --filter infra render -- --stack ${stack}\` (the test script does)`,
    );
  }
  return p;
}

export function renderedText(stack: StackName, file: "kubernetes.yaml" | "resources.json"): string {
  return readFileSync(renderedPath(stack, file), "utf8");
}

/** Every document of the rendered manifest. */
export function renderedObjects(stack: StackName): K8sObject[] {
  return parseAllDocuments(renderedText(stack, "kubernetes.yaml"))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function renderedResources(stack: StackName): { type: string; name: string; inputs: any }[] {
  return JSON.parse(renderedText(stack, "resources.json"));
}

const CORE_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "policy",
  "autoscaling",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
]);

/** True for kinds served by Kubernetes itself (validated with kubernetes-validate); the rest are CRDs. */
export function isCoreKind(o: K8sObject): boolean {
  return CORE_GROUPS.has(o.apiVersion.includes("/") ? o.apiVersion.split("/")[0]! : "");
}
