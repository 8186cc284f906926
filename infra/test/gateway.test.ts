/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { readFileSync } from "node:fs";
import path from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import type { CloudOutputs } from "../src/cloud/program.js";
import { Workload } from "../src/platform/components/workload.js";
import { jwkThumbprint } from "../src/platform/program.js";
import { MOCK_SECRET_MARKER } from "../src/render/mocks.js";
import { runCloudForTest, runForTest, type Run, type StackRun } from "./support/platform.js";
import { infraDir, PLATFORM_STACKS, renderedText, STACKS } from "./support/rendered.js";

const runs: Partial<Record<string, StackRun>> = {};
const clouds: Partial<Record<string, Run<CloudOutputs>>> = {};
beforeAll(async () => {
  for (const stack of STACKS) {
    runs[stack] = await runForTest(stack);
    clouds[stack] = await runCloudForTest(stack);
  }
  runs["local.example"] = await runForTest("local.example");
});

describe.each(STACKS)("%s stack: HTTPS entry point", (stack) => {
  const run = () => runs[stack]!;
  const cloud = () => clouds[stack]!;
  const domain = stack === "prod" ? "api.example.com" : "api.dev.example.com";

  it("when the Gateway is declared, then it is the global external managed class on the cloud stack's static IP and certificate map", () => {
    const gw = run().object("Gateway", "platform-gateway");
    expect(gw.spec.gatewayClassName).toBe("gke-l7-global-external-managed");
    expect(gw.spec.addresses).toEqual([{ type: "NamedAddress", value: "platform-gateway-ip" }]);
    expect(gw.metadata.annotations).toEqual({ "networking.gke.io/certmap": "platform-gateway-certmap" });
    expect(gw.spec.listeners.map((l: any) => `${l.name}:${l.protocol}:${l.port}:${l.hostname}`)).toEqual([
      `https:HTTPS:443:${domain}`,
      `http:HTTP:80:${domain}`,
    ]);
    const entry = cloud().one(
      "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
      "platform-gateway-certmap-entry",
    );
    expect(entry.hostname).toBe(domain);
    expect(
      cloud().one("gcp:certificatemanager/certificate:Certificate", "platform-gateway-cert").managed.domains,
    ).toEqual([domain]);
  });

  it("when routes are declared, then auth paths go to app-b, /v1 to app-a, and HTTP only redirects to HTTPS", () => {
    const api = run().object("HTTPRoute", "platform-gateway-api").spec;
    expect(api.parentRefs[0].sectionName).toBe("https");
    expect(api.hostnames).toEqual([domain]);
    const table = api.rules.flatMap((r: any) =>
      r.matches.map(
        (m: any) => `${m.path.type} ${m.path.value} -> ${r.backendRefs[0].name}:${r.backendRefs[0].port}`,
      ),
    );
    expect(table).toEqual([
      "PathPrefix /v1/auth -> app-b:3001",
      "PathPrefix /.well-known -> app-b:3001",
      "PathPrefix /v1 -> app-a:3000",
    ]);
    const redirect = run().object("HTTPRoute", "platform-gateway-https-redirect").spec;
    expect(redirect.parentRefs[0].sectionName).toBe("http");
    expect(redirect.rules).toEqual([
      { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
    ]);
  });

  it.each([
    ["app-a", 3000],
    ["app-b", 3001],
  ] as const)(
    "when %s is behind the load balancer, then it is health-checked on /readyz and drained",
    (app, port) => {
      const hc = run().object("HealthCheckPolicy", `${app}-health`).spec;
      expect(hc.targetRef).toEqual({ group: "", kind: "Service", name: app });
      expect(hc.default.config).toEqual({ type: "HTTP", httpHealthCheck: { port, requestPath: "/readyz" } });
      const backend = run().object("GCPBackendPolicy", `${app}-backend`).spec.default;
      expect(backend.connectionDraining.drainingTimeoutSec).toBe(15);
      expect(backend.securityPolicy).toBe(stack === "prod" ? "platform-gateway-armor" : undefined);
    },
  );

  it("when TLS is configured, then the Gateway uses the cloud stack's MODERN policy with TLS 1.2 minimum", () => {
    const policy = run().object("GCPGatewayPolicy", "platform-gateway-policy").spec;
    expect(policy).toEqual({
      default: { sslPolicy: "platform-gateway-tls" },
      targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform-gateway" },
    });
    expect(cloud().one("gcp:compute/sSLPolicy:SSLPolicy", "platform-gateway-tls")).toEqual({
      profile: "MODERN",
      minTlsVersion: "TLS_1_2",
    });
  });

  it("when the stack is exported, then gatewayUrl is https://<domain>", () => {
    expect(run().outputs.gatewayUrl).toBe(`https://${domain}`);
  });

  it("when monitoring is declared, then the dashboard and the five alert policies exist", () => {
    const dashboard = JSON.parse(
      cloud().one("gcp:monitoring/dashboard:Dashboard", "platform-monitoring-dashboard").dashboardJson,
    );
    expect(dashboard.mosaicLayout.tiles.map((t: any) => t.widget.title)).toEqual([
      "Requests per second by service, route and status",
      "5xx ratio by service",
      "Latency p50, p95, p99 (s) by service",
      "Replicas against autoscaler bounds",
      "CPU used vs requested (cores) by service",
      "MongoDB members ready",
    ]);
    const alerts = cloud()
      .all("gcp:monitoring/alertPolicy:AlertPolicy")
      .map((a) => a.inputs.displayName as string);
    expect(alerts.sort()).toEqual([
      "Autoscaler at max replicas",
      "MongoDB member not ready",
      "Service 5xx ratio high",
      "Service has no available replicas",
      "Service p95 latency high",
    ]);
  });
});

describe("local.example stack: HTTPS entry point on a plain cluster", () => {
  const run = () => runs["local.example"]!;

  it("when a TLS certificate is configured, then the HTTPS listener terminates with a kubernetes.io/tls Secret on the configured ports", () => {
    const gw = run().object("Gateway", "platform-gateway");
    expect(gw.spec.gatewayClassName).toBe("traefik");
    expect(gw.metadata.annotations).toBeUndefined();
    expect(gw.spec.addresses).toBeUndefined();
    const [https, http] = gw.spec.listeners;
    expect(https).toMatchObject({ name: "https", protocol: "HTTPS", port: 30443 });
    expect(https.hostname).toBeUndefined();
    expect(https.tls).toEqual({
      mode: "Terminate",
      certificateRefs: [{ kind: "Secret", name: "platform-gateway-tls" }],
    });
    expect(http).toMatchObject({ name: "http", protocol: "HTTP", port: 30080 });
    const secret = run().object("Secret", "platform-gateway-tls");
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(Object.keys(secret.stringData as object).sort()).toEqual(["tls.crt", "tls.key"]);
  });

  it("when no domain is set, then routes match any host and the redirect keeps the public HTTPS port", () => {
    expect(run().object("HTTPRoute", "platform-gateway-api").spec.hostnames).toBeUndefined();
    expect(run().object("HTTPRoute", "platform-gateway-https-redirect").spec.rules).toEqual([
      {
        filters: [
          { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301, port: 30443 } },
        ],
      },
    ]);
    expect(run().outputs.gatewayUrl).toBe("https://localhost:30443");
  });

  it("when the flavor is generic, then no GKE-only object is declared", () => {
    const kinds = new Set(run().objects.map((o) => o.kind));
    for (const kind of [
      "HealthCheckPolicy",
      "GCPBackendPolicy",
      "GCPGatewayPolicy",
      "PodMonitoring",
      "MongoDBCommunity",
      "CronJob",
    ])
      expect(kinds.has(kind), kind).toBe(false);
    expect(run().object("Service", "app-a").metadata.annotations ?? {}).toEqual({});
    // Without traffic-based autoscaling app-a scales on its request rate per pod from the in-cluster metrics stack
    // (70% of the catalogue's measured 110 req/s), then CPU.
    expect(run().object("HorizontalPodAutoscaler", "app-a").spec.metrics).toEqual([
      {
        type: "Pods",
        pods: {
          metric: { name: "http_requests_per_second" },
          target: { type: "AverageValue", averageValue: "77" },
        },
      },
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
    ]);
  });
});

describe("secrets", () => {
  it.each(PLATFORM_STACKS)(
    "when the %s stack is rendered, then no secret value appears in any output file",
    (stack) => {
      const files = [
        renderedText(stack, "platform", "kubernetes.yaml"),
        renderedText(stack, "platform", "resources.json"),
      ];
      if (stack !== "local.example") files.push(renderedText(stack, "cloud", "resources.json"));
      for (const text of files) {
        expect(text).not.toContain(MOCK_SECRET_MARKER);
        expect(text).not.toMatch(/BEGIN PRIVATE KEY/);
      }
      expect(renderedText(stack, "platform", "kubernetes.yaml")).toContain('JWT_SIGNING_KEYS: "[secret]"');
    },
  );

  it("when the JWT key comes from the cloud stack, then app-b's Secret holds that one Ed25519 PKCS#8 key, its kid the RFC 7638 thumbprint, marked secret", async () => {
    const run = runs.prod!;
    const key = await new Promise<string>((r) => clouds.prod!.outputs.jwtSigningKey.apply(r));
    const keys = JSON.parse(run.one("kubernetes:core/v1:Secret", "app-b-jwt").stringData.JWT_SIGNING_KEYS);
    expect(keys).toEqual([{ kid: jwkThumbprint(key), privateKeyPem: key }]);
    expect(keys[0].kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const raw = run.raw.find((r) => r.name === "app-b-jwt")!;
    expect(JSON.stringify(raw.inputs)).toContain("1b47061264138c4ac30d75fd1eb44270");
  });

  it("when stack files are read, then they contain no secure values", () => {
    for (const [layer, stack] of [
      ["cloud", "dev"],
      ["cloud", "prod"],
      ["platform", "dev"],
      ["platform", "prod"],
      ["platform", "local.example"],
    ])
      expect(readFileSync(path.join(infraDir, layer!, `Pulumi.${stack!}.yaml`), "utf8")).not.toMatch(
        /secure:/,
      );
  });
});

describe("component argument validation", () => {
  const args = {
    namespace: "platform",
    image: "registry/app@sha256:" + "0".repeat(64),
    imagePullPolicy: "IfNotPresent" as const,
    port: 3000,
    metricsPort: 3000,
    env: {},
    secretEnv: {},
    resources: { cpuRequest: "100m", cpuLimit: "1", memoryRequest: "128Mi", memoryLimit: "256Mi" },
    autoscaling: { minReplicas: 1, maxReplicas: 2, cpuTargetPercent: 70 },
    podMonitoring: false,
    preStopSleepSeconds: 5,
    shutdownTimeoutSeconds: 10,
    rolloutTimeoutSeconds: 60,
    zoneSpread: "ScheduleAnyway" as const,
    ingressFromCidrs: [],
    ingressFromApps: [],
    egressTo: [],
  };

  it("when a workload would serve metrics on its API port, then the component refuses with a ResourceError", async () => {
    await pulumi.runtime.setMocks({
      newResource: (a) => ({ id: a.name, state: a.inputs }),
      call: (a) => a.inputs,
    });
    expect(() => new Workload("bad-app", args)).toThrow(pulumi.ResourceError);
    expect(() => new Workload("bad-app2", args)).toThrow(/metrics are never served on the API port/);
  });

  it("when the config would open the control plane, then the render refuses before creating anything", async () => {
    await expect(
      runCloudForTest("prod", { "gke-cloud:authorizedNetworks": '["0.0.0.0/0"]' }),
    ).rejects.toThrow(/authorizedNetworks: "0.0.0.0\/0" opens the control plane to the internet/);
  });
});
