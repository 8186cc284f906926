/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON */
/**
 * The platform layer builds every per-service object from the catalogue: a third service, given only as a
 * catalogue entry and its stack config, gets the same objects as the two that ship, wired by its entry.
 */
import { SERVICES, type ServiceEntry } from "@platform/contract";
import { beforeAll, describe, expect, it } from "vitest";

import { networkPolicyEdges, runForTest, type StackRun } from "./support/platform.js";

const third: ServiceEntry = {
  name: "billing",
  package: "apps/billing",
  port: 3002,
  metricsPort: 9466,
  database: "billing",
  routes: ["/v1/invoices"],
  tokens: "verifier",
  calls: ["app-b"],
  autoscaling: "cpu",
  smokeTest: true,
  resources: { cpuRequest: "200m", cpuLimit: "1", memoryRequest: "192Mi", memoryLimit: "384Mi" },
};
const catalogue = [...SERVICES, third];

let run: StackRun;
beforeAll(async () => {
  const services = Object.fromEntries(catalogue.map((s) => [s.name, { image: `local/${s.name}:dev` }]));
  run = await runForTest(
    "local.example",
    {
      "gke-platform:services": JSON.stringify({
        ...services,
        billing: { image: "local/billing:dev", maxReplicas: 4, env: { BODY_LIMIT: "1mb" } },
      }),
    },
    undefined,
    catalogue,
  );
});

describe("a service added to the catalogue", () => {
  it("when the platform renders, then it gets a Deployment, Service, PDB, HPA and NetworkPolicy of its own", () => {
    for (const kind of [
      "Deployment",
      "Service",
      "PodDisruptionBudget",
      "HorizontalPodAutoscaler",
      "NetworkPolicy",
      "ServiceAccount",
    ])
      expect(run.object(kind, "billing").metadata.name).toBe("billing");
    expect(run.object("HorizontalPodAutoscaler", "billing").spec.maxReplicas).toBe(4);
  });

  it("when its container starts, then it has the contract's environment from its entry, and the issuer's key set URL", () => {
    const container = (run.object("Deployment", "billing").spec.template.spec.containers as any[])[0];
    const env = Object.fromEntries((container.env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      PORT: "3002",
      METRICS_PORT: "9466",
      MONGODB_DB: "billing",
      BODY_LIMIT: "1mb",
    });
    expect(env.JWKS_URL).toMatch(
      /^http:\/\/app-b\.[a-z-]+\.svc\.cluster\.local:3001\/\.well-known\/jwks\.json$/,
    );
    expect(env.MONGODB_URI).toEqual({
      secretKeyRef: { name: "billing-mongodb", key: "connectionString.standard" },
    });
    expect(env.JWT_SIGNING_KEYS).toBeUndefined();
    expect(container.image).toBe("local/billing:dev");
    expect(container.resources.requests).toEqual({ cpu: "200m", memory: "192Mi" });
  });

  it("when the Gateway routes, then its prefix goes to it, and the others keep theirs", () => {
    const route = run.object("HTTPRoute", "platform-gateway-api");
    const table = (route.spec.rules as any[]).flatMap((rule) =>
      (rule.matches as any[]).map(
        (m) => `${m.path.value as string} -> ${rule.backendRefs[0].name as string}`,
      ),
    );
    expect(table).toEqual(
      expect.arrayContaining(["/v1/invoices -> billing", "/v1/auth -> app-b", "/v1 -> app-a"]),
    );
  });

  it("when NetworkPolicies are read, then it may call the issuer and the issuer admits it, and nobody else reaches it inside the namespace", () => {
    const edges = networkPolicyEdges(run.objects);
    expect(edges).toContain("app=billing -> app=app-b TCP/3001");
    expect(edges).toContain("app=app-b <- app=billing TCP/3001");
    expect(edges.filter((e) => /^app=billing <- app=/.test(e))).toEqual([]);
  });

  it("when the stack reports its images, then the new service is among them", async () => {
    const images = await new Promise<Record<string, string>>((r) => {
      run.outputs.images.apply(r);
    });
    expect(images).toEqual({
      "app-a": "local/app-a:dev",
      "app-b": "local/app-b:dev",
      billing: "local/billing:dev",
    });
  });

  it("when a catalogue service has no stack config, then the error names the key to set", async () => {
    await expect(runForTest("local.example", {}, undefined, catalogue)).rejects.toThrow(
      /services\.billing\.image: required/,
    );
  });
});
