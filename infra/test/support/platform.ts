/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { kubernetesObjects, runStack } from "../../src/render/render.js";
import { reveal, type RecordedResource } from "../../src/render/mocks.js";
import type { PlatformOutputs } from "../../src/program.js";
import { infraDir, type K8sObject, type StackName } from "./rendered.js";

/** A mocked run of a stack with lookup helpers; inputs are revealed (secrets unwrapped) for assertions. */
export interface StackRun {
  raw: RecordedResource[];
  outputs: PlatformOutputs;
  objects: K8sObject[];
  one(type: string, name: string): any;
  all(type: string): { name: string; inputs: any; provider: string | undefined }[];
  object(kind: string, name: string): K8sObject;
}

export async function runForTest(
  stack: StackName,
  overrides: Record<string, string> = {},
): Promise<StackRun> {
  const { resources, result } = await runStack(infraDir, stack, overrides);
  const all = (type: string) =>
    resources
      .filter((r) => r.type === type)
      .map((r) => ({ name: r.name, inputs: reveal(r.inputs) as any, provider: r.provider }));
  const objects = kubernetesObjects(resources) as K8sObject[];
  return {
    raw: resources,
    outputs: result,
    objects,
    all,
    one(type, name) {
      const found = all(type).filter((r) => r.name === name);
      if (found.length !== 1)
        throw new Error(`expected exactly one ${type} named ${name}, found ${found.length}`);
      return found[0]!.inputs;
    },
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
    const labels = Object.entries((s?.matchLabels ?? {}) as Record<string, string>).map(
      ([k, v]) => `${k}=${v}`,
    );
    return labels.length ? labels.join(",") : "*";
  };
  const peer = (p: any) => {
    if (p.ipBlock)
      return p.ipBlock.except ? `${p.ipBlock.cidr} except ${p.ipBlock.except.join(",")}` : p.ipBlock.cidr;
    const ns = p.namespaceSelector
      ? `ns:${p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]}`
      : "";
    const pods = p.podSelector ? selector(p.podSelector) : "";
    return [ns, pods].filter(Boolean).join("/");
  };
  const edges: string[] = [];
  for (const policy of objects.filter((o) => o.kind === "NetworkPolicy")) {
    const selected = selector(policy.spec.podSelector);
    for (const [dir, key, peersKey] of [
      ["<-", "ingress", "from"],
      ["->", "egress", "to"],
    ] as const) {
      for (const rule of (policy.spec[key] ?? []) as any[]) {
        for (const p of rule[peersKey] as any[]) {
          for (const port of rule.ports as any[])
            edges.push(`${selected} ${dir} ${peer(p)} ${port.protocol}/${port.port}`);
        }
      }
    }
  }
  return edges.sort();
}
