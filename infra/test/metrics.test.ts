/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call -- rendered manifests are untyped JSON; the assertions are what check their shape */
import { SERVICES } from "@platform/contract";
import { beforeAll, describe, expect, it } from "vitest";

import { DEFAULT_METRICS_IMAGES, parsePlatformConfig } from "../src/platform/config.js";
import { adapterConfig, scrapeConfig } from "../src/platform/components/metrics.js";
import { networkPolicyEdges, runForTest, type StackRun } from "./support/platform.js";

let local: StackRun;
let dev: StackRun;
beforeAll(async () => {
  local = await runForTest("local.example");
  dev = await runForTest("dev");
});

const requestScaling = SERVICES.filter((s) => s.autoscaling === "requests");

describe("the in-cluster metrics stack (metricsStack: in-cluster, the default of a generic cluster)", () => {
  it("when the flavor is generic, then the store, vmalert, kube-state-metrics and prometheus-adapter run in their own namespace, pinned to the versions tools/ builds", () => {
    const deployments = local.objects.filter(
      (o) => o.kind === "Deployment" && o.metadata.namespace === "monitoring",
    );
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ["kube-state-metrics", "prometheus-adapter", "victoria-metrics", "vmalert"].sort(),
    );
    const images = deployments.map((d: any) => d.spec.template.spec.containers[0].image as string);
    expect(images.sort()).toEqual(Object.values(DEFAULT_METRICS_IMAGES).sort());
    expect(
      local.object("Namespace", "monitoring").metadata.labels?.["pod-security.kubernetes.io/enforce"],
    ).toBe("restricted");
  });

  it("when the flavor is gke, then no part of it is declared (Managed Prometheus and traffic-based autoscaling do its work)", () => {
    expect(dev.objects.filter((o) => o.metadata.namespace === "monitoring")).toEqual([]);
    expect(dev.objects.filter((o) => o.kind === "APIService")).toEqual([]);
  });

  it.each(requestScaling.map((s) => s.name))(
    "when %s scales on requests, then its HPA reads the per-pod request rate at capacityTargetPercent of the catalogue's measured rate, then CPU",
    (name) => {
      const entry = SERVICES.find((s) => s.name === name)!;
      const metrics = local.object("HorizontalPodAutoscaler", name).spec.metrics;
      expect(metrics[0]).toEqual({
        type: "Pods",
        pods: {
          metric: { name: "http_requests_per_second" },
          target: { type: "AverageValue", averageValue: String((entry.requestsPerSecondPerPod! * 70) / 100) },
        },
      });
      expect(metrics[1].resource.name).toBe("cpu");
    },
  );

  it("when NetworkPolicies are read, then only the store reaches the services' metrics ports from outside their namespace, and only the API server reaches the adapter", () => {
    const edges = networkPolicyEdges(local.objects);
    for (const s of SERVICES)
      expect(edges).toContain(`app=${s.name} <- ns:monitoring/app=victoria-metrics TCP/${s.metricsPort}`);
    const intoMetricsPorts = edges.filter((e) =>
      SERVICES.some((s) => e.startsWith(`app=${s.name} <- `) && e.endsWith(`TCP/${s.metricsPort}`)),
    );
    expect(intoMetricsPorts.every((e) => /ns:(monitoring\/app=victoria-metrics|gmp-system)/.test(e))).toBe(
      true,
    );
    expect(edges.filter((e) => e.startsWith("app=prometheus-adapter <- "))).toEqual([
      "app=prometheus-adapter <- 10.88.0.1/32 TCP/6443",
    ]);
    expect(edges.filter((e) => e.startsWith("app=victoria-metrics <- ")).sort()).toEqual(
      [
        "app=victoria-metrics <- app=prometheus-adapter TCP/8428",
        "app=victoria-metrics <- app=vmalert TCP/8428",
      ].sort(),
    );
  });

  it("when the HPA controller asks for custom metrics, then both API versions are registered with the adapter", () => {
    const services = local.objects.filter((o) => o.kind === "APIService");
    expect(services.map((s) => s.metadata.name).sort()).toEqual([
      "v1beta1.custom.metrics.k8s.io",
      "v1beta2.custom.metrics.k8s.io",
    ]);
    for (const s of services as any[])
      expect(s.spec.service).toEqual({ name: "prometheus-adapter", namespace: "monitoring", port: 443 });
  });

  it("when the store scrapes, then it keeps the catalogue's pods on their metrics port and names the job after the service (as GKE's PodMonitoring does)", () => {
    const config = JSON.parse(scrapeConfig("platform", ["app-a", "app-b"], "monitoring"));
    const services = config.scrape_configs.find((c: any) => c.job_name === "services");
    expect(services.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["platform"] } }]);
    expect(services.relabel_configs).toContainEqual({
      source_labels: ["__meta_kubernetes_pod_label_app"],
      regex: "app-a|app-b",
      action: "keep",
    });
    expect(services.relabel_configs).toContainEqual({
      source_labels: ["__meta_kubernetes_pod_label_app"],
      target_label: "job",
    });
  });

  it("when a pod has only answered probes, then its request rate reads 0 rather than missing (the HPA cannot scale in on a missing metric)", () => {
    const rule = JSON.parse(adapterConfig("1m")).rules[0];
    expect(rule.name).toEqual({ matches: "^http_requests_total$", as: "http_requests_per_second" });
    expect(rule.metricsQuery).toContain('route!~"/healthz|/readyz"');
    expect(rule.metricsQuery).toMatch(/ or \(0 \* sum\(rate\(/);
  });

  it("when the metrics config is wrong, then every bad key is named", () => {
    const values: Record<string, string> = {
      clusterFlavor: "generic",
      metricsStack: "prometheus",
      metricsRetention: "forever",
      metricsImages: JSON.stringify({ grafana: "x:1", vmalert: "latest" }),
      alertForPercent: "0",
      services: JSON.stringify(Object.fromEntries(SERVICES.map((s) => [s.name, { image: "0.1.0" }]))),
    };
    let message = "";
    try {
      parsePlatformConfig({ get: (key) => values[key] }, "dev");
    } catch (error) {
      message = (error as Error).message;
    }
    for (const expected of [
      "metricsStack: expected one of in-cluster, none",
      "metricsRetention: expected a duration",
      "metricsImages.grafana: unknown image",
      'metricsImages.vmalert: expected a pinned image reference, got "latest"',
      "alertForPercent: expected an integer from 1 to 100",
    ])
      expect(message).toContain(expected);
  });

  it("when the in-cluster stack has no API server address, then the error says where to find it", async () => {
    await expect(runForTest("local.example", { "gke-platform:apiServerCidrs": "[]" })).rejects.toThrow(
      /apiServerCidrs: required with metricsStack in-cluster/,
    );
  });
});
