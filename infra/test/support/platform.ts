/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import type { ServiceEntry } from "@platform/contract";

import type { CloudOutputs } from "../../src/cloud/program.js";
import type { PlatformOutputs } from "../../src/platform/program.js";
import {
  reveal,
  type RecordedOptions,
  type RecordedResource,
  type StackOutputs,
} from "../../src/render/mocks.js";
import { kubernetesObjects, runCloudStack, runPlatformStack } from "../../src/render/render.js";
import { infraDir, type K8sObject } from "./rendered.js";

/** Lookup helpers over a mocked run; inputs are revealed (secrets unwrapped) for assertions. */
export interface Run<T> {
  raw: RecordedResource[];
  outputs: T;
  one(type: string, name: string): any;
  /** The options the program passed when registering it. */
  options(type: string, name: string): RecordedOptions;
  all(type: string): { name: string; inputs: any; provider: string | undefined }[];
}

/** A mocked platform run, with its Kubernetes objects. */
export interface StackRun extends Run<PlatformOutputs> {
  objects: K8sObject[];
  object(kind: string, name: string): K8sObject;
}

function helpers<T>(resources: RecordedResource[], outputs: T): Run<T> {
  const all = (type: string) =>
    resources
      .filter((r) => r.type === type)
      .map((r) => ({ name: r.name, inputs: reveal(r.inputs) as any, provider: r.provider }));
  return {
    raw: resources,
    outputs,
    all,
    options(type, name) {
      const found = resources.filter((r) => r.type === type && r.name === name);
      if (found.length !== 1) throw new Error(`expected exactly one ${type} named ${name}`);
      return found[0]!.options;
    },
    one(type, name) {
      const found = all(type).filter((r) => r.name === name);
      if (found.length !== 1)
        throw new Error(`expected exactly one ${type} named ${name}, found ${found.length}`);
      return found[0]!.inputs;
    },
  };
}

/** The cloud layer of `stack` under mocks, with config overrides (`gke-cloud:<key>`). */
export async function runCloudForTest(
  stack: string,
  overrides: Record<string, string> = {},
): Promise<Run<CloudOutputs>> {
  const { resources, result } = await runCloudStack(infraDir, stack, overrides);
  return helpers(resources, result);
}

/** The platform layer of `stack` under mocks, with config overrides (`gke-platform:<key>`). */
export async function runForTest(
  stack: string,
  overrides: Record<string, string> = {},
  cloudOutputs?: StackOutputs,
  catalogue?: readonly ServiceEntry[],
): Promise<StackRun> {
  const { resources, result } = await runPlatformStack(infraDir, stack, {
    overrides,
    cloudOutputs,
    catalogue,
  });
  const objects = kubernetesObjects(resources) as K8sObject[];
  return {
    ...helpers(resources, result),
    objects,
    object(kind, name) {
      const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
      if (!found) throw new Error(`no ${kind} ${name} rendered`);
      return found;
    },
  };
}

/** Flattens NetworkPolicies into readable edges: `<selected> <- <peer> <proto>/<port>` and `-> ` for egress. */
export function networkPolicyEdges(objects: K8sObject[]): string[] {
  const selector = (s: any) => {
    const labels = [
      ...Object.entries((s?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`),
      ...((s?.matchExpressions ?? []) as { key: string; operator: string; values: string[] }[]).map(
        (e) => `${e.key} ${e.operator} (${e.values.join(",")})`,
      ),
    ];
    return labels.length ? labels.join(",") : "*";
  };
  const peer = (p: any) => {
    if (p.ipBlock)
      return p.ipBlock.except ? `${p.ipBlock.cidr} except ${p.ipBlock.except.join(",")}` : p.ipBlock.cidr;
    const ns = p.namespaceSelector
      ? `ns:${p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]}`
      : "";
    const pods = p.podSelector ? selector(p.podSelector) : "";
    // A rule without peers allows every address.
    return [ns, pods].filter(Boolean).join("/") || "*";
  };
  const edges: string[] = [];
  for (const policy of objects.filter((o) => o.kind === "NetworkPolicy")) {
    const selected = selector(policy.spec.podSelector);
    for (const [dir, key, peersKey] of [
      ["<-", "ingress", "from"],
      ["->", "egress", "to"],
    ] as const) {
      for (const rule of (policy.spec[key] ?? []) as any[]) {
        for (const p of (rule[peersKey] ?? [{}]) as any[]) {
          for (const port of rule.ports as any[])
            edges.push(`${selected} ${dir} ${peer(p)} ${port.protocol}/${port.port}`);
        }
      }
    }
  }
  return edges.sort();
}
