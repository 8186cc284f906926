import { setTimeout as sleep } from "node:timers/promises";
import { startMixedLoad } from "load-tools";
import type { Result } from "load-tools";
import { describe, expect, inject, it } from "vitest";
import { pulumi } from "../src/cluster.js";
import { kubectlAsync, waitForRequests, waitUntil } from "../src/delivery.js";
import { recordResult } from "../src/results.js";

const env = inject("cluster");
const { namespace } = JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as { namespace: string };
const APPS = ["app-b"] as const;

interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
  status: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[];
  };
}
interface Sample {
  readonly s: number;
  readonly app: string;
  readonly replicas: number;
  readonly desired: number;
  /** Average CPU of the pods, in percent of their request, as the HPA read it. */
  readonly cpu: number | undefined;
}

const hpa = async (app: string) =>
  JSON.parse(await kubectlAsync(["get", "hpa", app, "-n", namespace, "-o", "json"])) as Hpa;
const replicas = async (app: string) => (await hpa(app)).status.currentReplicas ?? 0;

// The HPA of the service that scales on CPU (app-b, its production metric), fed by metrics-server. app-a scales on
// its request rate first: 7-metrics shows that on the in-cluster metrics stack (and 1-platform the GKE variant by
// a server-side dry run). The local stack sets hpaScaleDownStabilizationSeconds to 30 s
// (scripts/cluster/local-stack-config.js).
describe("autoscaling on the local cluster", () => {
  it("when logins load the auth service, then its CPU-based HPA scales out to its maximum, and back in when the load stops, with no failed request", async () => {
    const started = Date.now();
    const timeline: Sample[] = [];
    const sample = async () => {
      for (const app of APPS) {
        const h = await hpa(app);
        timeline.push({
          s: Math.round((Date.now() - started) / 1000),
          app,
          replicas: h.status.currentReplicas ?? 0,
          desired: h.status.desiredReplicas ?? 0,
          cpu: h.status.currentMetrics?.find((m) => m.resource?.name === "cpu")?.resource?.current
            .averageUtilization,
        });
      }
    };
    const sampling = { on: true };
    const sampler = (async () => {
      while (sampling.on) {
        await sample().catch(() => undefined);
        await sleep(5000);
      }
    })();
    const bounds = Object.fromEntries(
      await Promise.all(APPS.map(async (app) => [app, (await hpa(app)).spec] as const)),
    );
    const events: Record<string, number> = {};
    let loadTotals: Result | undefined;
    const atMinimum = async () =>
      (await Promise.all(APPS.map(async (app) => (await replicas(app)) === bounds[app]?.minReplicas))).every(
        Boolean,
      );
    const mark = (name: string) => (events[name] = Math.round((Date.now() - started) / 1000));
    try {
      // Earlier files may have left a scaled-out app: start from the minimum.
      await waitUntil("app-b at its minimum", 300_000, atMinimum);
      mark("load starts");
      const load = startMixedLoad({
        baseUrl: env.GATEWAY_URL,
        caFile: env.CA_FILE,
        connections: 8,
        durationMs: 600_000,
        // Argon2 password checks are app-b's CPU.
        mix: { login: 3, me: 1 },
        seed: 7,
      });
      let totals: Result | undefined;
      try {
        await waitForRequests(load, 100, 60_000);
        // Each app of APPS reaches its maximum at some point (near the target an HPA may step back and climb again).
        const reached = new Set<string>();
        await waitUntil("each app at its maximum", 300_000, async () => {
          for (const app of APPS) {
            if ((await replicas(app)) === bounds[app]?.maxReplicas && !reached.has(app)) {
              reached.add(app);
              mark(`${app} at maximum`);
            }
          }
          return reached.size === APPS.length;
        });
      } finally {
        totals = await load.stop();
        loadTotals = totals;
        mark("load stops");
      }
      await waitUntil("app-b back at its minimum", 300_000, atMinimum);
      mark("back at minimum");
      await sample();
      expect(totals.failed, JSON.stringify(totals.failures)).toBe(0);
      for (const app of APPS) {
        const seen = timeline.filter((t) => t.app === app).map((t) => t.replicas);
        expect(Math.max(...seen), app).toBe(bounds[app]?.maxReplicas);
        expect(seen.at(-1), app).toBe(bounds[app]?.minReplicas);
      }
    } finally {
      sampling.on = false;
      await sampler;
      recordResult("autoscaling", { bounds, events, timeline, load: loadTotals });
      console.log(`autoscaling: ${JSON.stringify({ events, timeline })}`);
    }
  });
});
