import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, inject, it } from "vitest";
import { cluster, kubectl, kubectlJson, pulumi, repoRoot, run } from "../src/cluster.js";

interface Deployment {
  metadata: { name: string };
  spec: {
    replicas: number;
    template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
  };
  status: { readyReplicas?: number; updatedReplicas?: number };
}
interface HistoryEntry {
  kind: string;
  result: string;
  resourceChanges?: Record<string, number>;
}

const env = inject("cluster");
const outputs = () =>
  JSON.parse(pulumi(["stack", "output", "--json", "--show-secrets"]).stdout) as {
    namespace: string;
    gatewayUrl: string;
    images: { appA: string; appB: string };
  };

// The tests run in order on one cluster: each step starts from the state the previous one left.
describe("the platform layer on the local cluster, deployed by the real Pulumi engine", () => {
  it("when `pnpm cluster up` ran, then both Deployments are Ready in a namespace that enforces PodSecurity restricted", () => {
    const { namespace } = outputs();
    const ns = kubectlJson(["get", "namespace", namespace]) as {
      metadata: { labels: Record<string, string> };
    };
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const deployments = (kubectlJson(["get", "deployments", "-n", namespace]) as { items: Deployment[] })
      .items;
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["app-a", "app-b"]);
    for (const d of deployments) {
      expect(d.status.readyReplicas, d.metadata.name).toBe(d.spec.replicas);
      expect(d.spec.replicas, d.metadata.name).toBeGreaterThanOrEqual(1);
    }
  });

  it("when it was deployed, then app-a is configured to fetch app-b's JWKS through the cluster's Service DNS", () => {
    const { namespace } = outputs();
    const appA = kubectlJson(["get", "deployment", "app-a", "-n", namespace]) as Deployment;
    const jwks = appA.spec.template.spec.containers[0]?.env?.find((e) => e.name === "JWKS_URL")?.value ?? "";
    expect(new URL(jwks).hostname).toMatch(
      new RegExp(`^app-b(\\.${namespace}(\\.svc(\\.cluster\\.local)?)?)?$`),
    );
    // The name resolves inside the cluster: CoreDNS answers for it from a pod of the namespace's own image.
    const ip = (kubectlJson(["get", "service", "app-b", "-n", namespace]) as { spec: { clusterIP: string } })
      .spec.clusterIP;
    expect(ip).toMatch(/^10\.96\./);
  });

  it("when a preview runs right after, then it shows no changes", () => {
    const preview = pulumi(["preview", "--expect-no-changes", "--diff"]);
    expect(preview.status, preview.output).toBe(0);
  });

  it("when `pnpm cluster up` runs a second time, then the update changes nothing and every component keeps running", async () => {
    const again = cluster(["up"]);
    expect(again.status, again.output).toBe(0);
    const history = JSON.parse(pulumi(["stack", "history", "--json"]).stdout) as HistoryEntry[];
    const last = history[0];
    expect(last?.kind).toBe("update");
    expect(last?.result).toBe("succeeded");
    const changed = Object.entries(last?.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0);
    expect(changed).toEqual([]);
    // Every component still runs a while later (kube-proxy used to exit when `up` rewrote its config file).
    await sleep(5000);
    const status = cluster(["status"], 60_000);
    expect(status.stdout.split("\n").filter((l) => /\bstopped\b/.test(l))).toEqual([]);
  });

  it("when the end-to-end flows run through the Gateway over HTTPS, then they all pass", () => {
    const e2e = run("pnpm", ["--filter", "e2e", "exec", "vitest", "run"], {
      env: {
        E2E_GATEWAY_URL: env.GATEWAY_URL,
        E2E_CA_FILE: env.CA_FILE,
        E2E_HTTP_URL: env.GATEWAY_HTTP_URL,
        NO_COLOR: "1",
      },
      timeoutMs: 600_000,
    });
    expect(e2e.status, e2e.output).toBe(0);
    // eslint-disable-next-line no-control-regex -- vitest's colour codes, if any
    expect(e2e.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+\d+ passed/);
  });

  it("when the GKE variant of the objects is sent to the API server as a server-side dry run, then it accepts them", () => {
    const render = run("pnpm", ["--filter", "infra", "render", "--", "--stack", "dev"], {
      timeoutMs: 300_000,
    });
    expect(render.status, render.output).toBe(0);
    // The dev stack's objects, each namespace of the render (the services', MongoDB's) moved to a
    // `gke-dry-run-<name>` of its own (the local stack lives in "platform"), so objects keep their relative places.
    type Doc = {
      kind?: string;
      metadata?: { name?: string; namespace?: string };
      spec?: unknown;
      subjects?: { namespace?: string }[];
    };
    const rendered = parseAllDocuments(
      readFileSync(join(repoRoot, "infra/.rendered/dev/platform/kubernetes.yaml"), "utf8"),
    )
      .map((d) => d.toJS() as Doc | null)
      .filter((d): d is Doc => d !== null);
    const moved = new Map(
      rendered.flatMap((d) =>
        d.kind === "Namespace" && d.metadata?.name
          ? [[d.metadata.name, `gke-dry-run-${d.metadata.name}`] as const]
          : [],
      ),
    );
    expect([...moved.keys()].sort()).toEqual(["mongodb", "platform"]);
    const move = (ns: string) => moved.get(ns) ?? ns;
    // Cross-namespace references by name: NetworkPolicy namespaceSelectors on kubernetes.io/metadata.name and
    // RBAC subjects.
    const retarget = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(retarget);
      else if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        const name = o["kubernetes.io/metadata.name"];
        if (typeof name === "string") o["kubernetes.io/metadata.name"] = move(name);
        Object.values(o).forEach(retarget);
      }
    };
    const docs = rendered.filter((d) => d.kind !== "Namespace");
    for (const d of docs) {
      if (d.metadata?.namespace) d.metadata.namespace = move(d.metadata.namespace);
      for (const subject of d.subjects ?? [])
        if (subject.namespace) subject.namespace = move(subject.namespace);
      retarget(d.spec);
    }
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of [
      "GCPBackendPolicy",
      "HealthCheckPolicy",
      "GCPGatewayPolicy",
      "HorizontalPodAutoscaler",
      "MongoDBCommunity",
      "PodMonitoring",
    ])
      expect(kinds, kind).toContain(kind);
    // The traffic-based metric of app-a's HPA is GKE-only: the API server must accept it as an Object metric.
    expect(JSON.stringify(docs)).toContain("autoscaling.googleapis.com|gclb-capacity-fullness");
    try {
      for (const namespace of moved.values()) {
        kubectl(["create", "namespace", namespace]);
        kubectl(["label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted"]);
      }
      const dryRun = kubectl(["apply", "--dry-run=server", "--server-side", "-f", "-"], {
        allowFailure: true,
        input: docs.map((d) => JSON.stringify(d)).join("\n"),
      });
      expect(dryRun.status, dryRun.output).toBe(0);
      expect(dryRun.stdout.match(/serverside-applied \(server dry run\)/g)?.length).toBe(docs.length);
    } finally {
      for (const namespace of moved.values())
        kubectl(["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"], {
          allowFailure: true,
        });
    }
  });
});
