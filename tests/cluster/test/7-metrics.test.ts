import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";
import { startMixedLoad } from "load-tools";
import type { Result, RunningLoad } from "load-tools";
import { describe, expect, inject, it } from "vitest";
import { clusterEnvLines, pulumi } from "../src/cluster.js";
import { kubectlAsync, waitForRequests, waitUntil } from "../src/delivery.js";
import { recordResult, resultsDir } from "../src/results.js";

const env = inject("cluster");
const { namespace } = JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as { namespace: string };
const { METRICS_URL: metricsUrl = "", ALERTS_URL: alertsUrl = "" } = clusterEnvLines();
const MONITORING = "monitoring";
const RATE_METRIC = "http_requests_per_second";

interface MetricStatus {
  type: string;
  pods?: { metric: { name: string }; current: { averageValue: string } };
  resource?: { name: string; current: { averageUtilization?: number } };
}
interface Hpa {
  spec: {
    minReplicas: number;
    maxReplicas: number;
    metrics: {
      type: string;
      pods?: { metric: { name: string }; target: { averageValue: string } };
      resource?: { name: string; target: { averageUtilization: number } };
    }[];
  };
  status: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: MetricStatus[] | null };
}
interface Sample {
  readonly s: number;
  readonly replicas: number;
  readonly desired: number;
  /** Requests per second per pod, as the HPA read it from custom.metrics.k8s.io (undefined: not readable). */
  readonly ratePerPod: number | undefined;
  /** Average CPU of the pods, percent of their request. */
  readonly cpu: number | undefined;
  readonly store: "up" | "down";
}

const hpa = async (app: string) =>
  JSON.parse(await kubectlAsync(["get", "hpa", app, "-n", namespace, "-o", "json"])) as Hpa;

/** A Kubernetes quantity ("41", "41500m") as a number. */
const quantity = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));

/** The HPA's events (reason: message), oldest first. */
/** The HPA's events ("Reason: message"), those last seen at or after `since` (events have second precision). */
async function hpaEvents(app: string, since = new Date(0)): Promise<string[]> {
  const out = JSON.parse(
    await kubectlAsync([
      "get",
      "events",
      "-n",
      namespace,
      "--field-selector",
      `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${app}`,
      "-o",
      "json",
    ]),
  ) as { items: { reason: string; message: string; lastTimestamp?: string; eventTime?: string }[] };
  const from = Math.floor(since.getTime() / 1000) * 1000;
  return out.items
    .filter((e) => {
      const seen = Date.parse(e.lastTimestamp ?? e.eventTime ?? "");
      return Number.isNaN(seen) || seen >= from;
    })
    .map((e) => `${e.reason}: ${e.message}`);
}

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${metricsUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: never[] } };
  if (body.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Alerts vmalert holds now, by name and state. */
async function alerts(): Promise<{ name: string; state: string; labels: Record<string, string> }[]> {
  const res = await fetch(`${alertsUrl}/api/v1/alerts`);
  const body = (await res.json()) as {
    data: { alerts: { name: string; state: string; labels: Record<string, string> }[] };
  };
  return body.data.alerts;
}

/** Debian's Chromium (scripts/install-cluster-tools.sh system), or the Chrome a GitHub-hosted runner has. */
function browserExecutable(): string {
  const found = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/google-chrome"].find(
    (p) => p !== undefined && p !== "" && existsSync(p),
  );
  if (!found)
    throw new Error(
      "no Chromium: run scripts/install-cluster-tools.sh system (Debian's chromium), or set CHROMIUM",
    );
  return found;
}

/** The dashboard's panels, as the cloud layer's Cloud Monitoring dashboard has them (infra/src/shared/observability.ts). */
const PANELS = {
  requests: "Requests per second by service, route and status",
  errors: "5xx ratio by service",
  latency: "Latency p50, p95, p99 (s) by service",
  replicas: "Replicas against autoscaler bounds",
  cpu: "CPU used vs requested (cores) by service",
  mongodb: "MongoDB members ready",
};

const scaleStore = (replicas: number) =>
  kubectlAsync(["scale", "deployment/victoria-metrics", "-n", MONITORING, `--replicas=${replicas}`]);

describe("the in-cluster metrics stack", () => {
  it("when the cluster is up, then METRICS_URL answers PromQL with both services' request counters", async () => {
    expect(metricsUrl).toMatch(/^http:\/\//);
    await waitUntil("both services scraped", 120_000, async () => {
      const jobs = new Set((await query("sum by (job) (http_requests_total)")).map((r) => r.metric.job));
      return jobs.has("app-a") && jobs.has("app-b");
    });
  });

  it("when a short load has run, then the dashboard opens in a real browser and its panels show the services' data", async () => {
    const load = startMixedLoad({
      baseUrl: env.GATEWAY_URL,
      caFile: env.CA_FILE,
      connections: 2,
      durationMs: 45_000,
      ratePerSecond: 20,
      mix: { get: 8, login: 1, me: 1 },
      seed: 17,
    });
    const browser = await chromium.launch({ executablePath: browserExecutable(), args: ["--headless=new"] });
    const shown: Record<string, number> = {};
    try {
      const totals = await load.done;
      expect(totals.failed, JSON.stringify(totals.failures)).toBe(0);
      // vmui draws a panel once it scrolls into view: a window tall enough for all six (three rows of two).
      const page = await browser.newPage({ viewport: { width: 1600, height: 3600 } });
      const url = `${metricsUrl}/vmui/#/dashboards?g0.range_input=10m`;
      // The panels fill in as the store's samples cover the load; every service panel shows a series (the
      // MongoDB one stays empty here: the database is FerretDB, outside the cluster).
      const withData = [PANELS.requests, PANELS.errors, PANELS.latency, PANELS.replicas, PANELS.cpu];
      await waitUntil("the dashboard's service panels showing data", 180_000, async () => {
        await page.goto(url, { waitUntil: "networkidle" });
        await page.locator(".vm-predefined-panel").first().waitFor({ timeout: 30_000 });
        for (const title of Object.values(PANELS)) {
          const panel = page.locator(".vm-predefined-panel", { hasText: title });
          shown[title] = (await panel.count()) === 1 ? await panel.locator(".vm-legend-item").count() : -1;
        }
        return withData.every((title) => (shown[title] ?? 0) > 0);
      });
      expect(shown[PANELS.mongodb], "the MongoDB panel is on the dashboard").toBeGreaterThanOrEqual(0);
      mkdirSync(resultsDir, { recursive: true });
      await page.screenshot({ path: join(resultsDir, "dashboard.png"), fullPage: true });
    } finally {
      await browser.close();
      recordResult("dashboard", { shown });
    }
  });

  it("when a read load under the CPU target runs through the Gateway, then app-a scales out on its request rate, holds its replicas while the metrics store is down, and scales back in once the store and the quiet return, with no failed request", async () => {
    const started = Date.now();
    const at = () => Math.round((Date.now() - started) / 1000);
    const timeline: Sample[] = [];
    const events: Record<string, number> = {};
    const mark = (name: string) => (events[name] = at());
    const store = { state: "up" as "up" | "down" };
    const sample = async () => {
      const h = await hpa("app-a");
      const metrics = h.status.currentMetrics ?? [];
      const rate = metrics.find((m) => m.pods?.metric.name === RATE_METRIC)?.pods?.current.averageValue;
      timeline.push({
        s: at(),
        replicas: h.status.currentReplicas ?? 0,
        desired: h.status.desiredReplicas ?? 0,
        ratePerPod: rate === undefined ? undefined : Math.round(quantity(rate) * 10) / 10,
        cpu: metrics.find((m) => m.resource?.name === "cpu")?.resource?.current.averageUtilization,
        store: store.state,
      });
    };
    const sampling = { on: true };
    const sampler = (async () => {
      while (sampling.on) {
        await sample().catch(() => undefined);
        await sleep(5000);
      }
    })();
    const spec = (await hpa("app-a")).spec;
    const rateTarget = quantity(
      spec.metrics.find((m) => m.type === "Pods")?.pods?.target.averageValue ?? "NaN",
    );
    const cpuTarget = spec.metrics.find((m) => m.resource?.name === "cpu")?.resource?.target
      .averageUtilization;
    const replicas = async () => (await hpa("app-a")).status.currentReplicas ?? 0;
    // Enough requests for one replica more than the maximum at the per-pod target, paced.
    const ratePerSecond = Math.ceil(rateTarget * (spec.maxReplicas + 0.5));
    let load: RunningLoad | undefined;
    let totals: Result | undefined;
    try {
      expect(rateTarget).toBeGreaterThan(0);
      expect(cpuTarget).toBeDefined();
      await waitUntil("app-a at its minimum", 300_000, async () => (await replicas()) === spec.minReplicas);
      mark("load starts");
      load = startMixedLoad({
        baseUrl: env.GATEWAY_URL,
        caFile: env.CA_FILE,
        connections: 4,
        durationMs: 900_000,
        ratePerSecond,
        mix: { get: 1 },
        seed: 11,
      });
      await waitForRequests(load, 50, 60_000);
      await waitUntil("app-a at its maximum", 300_000, async () => (await replicas()) === spec.maxReplicas);
      mark("app-a at maximum");

      // The store goes away under load: the rate metric cannot be read; the HPA keeps its replicas.
      await scaleStore(0);
      store.state = "down";
      mark("store stopped");
      await sleep(30_000);
      await load.stop().then((t) => (totals = t));
      load = undefined;
      mark("load stops");
      // The scale-down stabilisation window (30 s) and two HPA periods: on CPU alone it would have scaled in by now.
      await sleep(60_000);
      const whileDown = timeline.filter((t) => t.store === "down");
      expect(Math.min(...whileDown.map((t) => t.replicas)), JSON.stringify(whileDown)).toBe(spec.maxReplicas);

      await scaleStore(1);
      store.state = "up";
      mark("store started");
      await waitUntil(
        "app-a back at its minimum",
        420_000,
        async () => (await replicas()) === spec.minReplicas,
      );
      mark("app-a back at minimum");
      await sample();

      expect(totals?.failed, JSON.stringify(totals?.failures)).toBe(0);
      const withLoad = timeline.filter(
        (t) => t.s >= (events["load starts"] ?? 0) && t.s <= (events["store stopped"] ?? 0),
      );
      expect(Math.max(...withLoad.map((t) => t.ratePerPod ?? 0))).toBeGreaterThan(rateTarget);
      // The rate scaled it and CPU never did: the HPA names the metric that proposed the most replicas in each
      // rescale (the rate, listed first, on a tie). CPU itself is not held below its target here: on this 2-core
      // machine app-a's pods have read 53-95% of their 100m request under this load (docs/benchmarks.md).
      const reasons = await hpaEvents("app-a", new Date(started));
      expect(
        reasons.some((r) => r.includes(`pods metric ${RATE_METRIC} above target`)),
        reasons.join("\n"),
      ).toBe(true);
      expect(
        reasons.filter((r) => r.startsWith("SuccessfulRescale:") && r.includes("reason: cpu resource")),
        JSON.stringify(withLoad),
      ).toEqual([]);
    } finally {
      if (load) totals = await load.stop();
      if (store.state === "down") await scaleStore(1).catch(() => undefined);
      sampling.on = false;
      await sampler;
      recordResult("request-rate-autoscaling", {
        rateTarget,
        cpuTarget,
        ratePerSecond,
        events,
        timeline,
        load: totals,
      });
      console.log(
        `request-rate autoscaling: ${JSON.stringify({ rateTarget, cpuTarget, ratePerSecond, events, timeline })}`,
      );
    }
  });

  it("when app-b stops under load, then the ServiceUnavailable alert fires, and resolves once it is back", async () => {
    const started = Date.now();
    const events: Record<string, number> = {};
    const mark = (name: string) => (events[name] = Math.round((Date.now() - started) / 1000));
    const firing = async () =>
      (await alerts()).some(
        (a) => a.name === "ServiceUnavailable" && a.state === "firing" && a.labels.deployment === "app-b",
      );
    await waitUntil(
      "vmalert answering with no ServiceUnavailable firing",
      180_000,
      async () => !(await firing().catch(() => true)),
    );
    const before = (await hpa("app-b")).status.currentReplicas ?? 2;
    const load = startMixedLoad({
      baseUrl: env.GATEWAY_URL,
      caFile: env.CA_FILE,
      connections: 2,
      durationMs: 600_000,
      ratePerSecond: 10,
      mix: { get: 3, login: 1 },
      seed: 13,
    });
    let restored = false;
    try {
      await waitForRequests(load, 20, 60_000);
      // A Deployment scaled to 0 turns its HPA off until it is scaled up again, which the test does below.
      await kubectlAsync(["scale", "deployment/app-b", "-n", namespace, "--replicas=0"]);
      mark("app-b stopped");
      await waitUntil("ServiceUnavailable firing for app-b", 240_000, firing);
      mark("alert firing");
      await kubectlAsync(["scale", "deployment/app-b", "-n", namespace, `--replicas=${before}`]);
      restored = true;
      mark("app-b started");
      await waitUntil("ServiceUnavailable resolved", 240_000, async () => !(await firing()));
      mark("alert resolved");
      // The store keeps the alert's history (vmalert writes ALERTS back): it was firing for app-b.
      const history = await query(
        'max_over_time(ALERTS{alertname="ServiceUnavailable",alertstate="firing"}[15m])',
      );
      expect(history.map((r) => r.metric.deployment)).toContain("app-b");
    } finally {
      if (!restored)
        await kubectlAsync(["scale", "deployment/app-b", "-n", namespace, `--replicas=${before}`]);
      const totals = await load.stop();
      recordResult("alert-service-unavailable", { events, load: totals });
      console.log(`alert: ${JSON.stringify({ events, failed: totals.failed, total: totals.total })}`);
      await kubectlAsync(["rollout", "status", "deployment/app-b", "-n", namespace, "--timeout=180s"]);
    }
  });
});
