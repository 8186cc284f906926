/* eslint-disable @typescript-eslint/no-explicit-any -- dashboard JSON is untyped */
import { describe, expect, it } from "vitest";

import { alertRules } from "../src/shared/observability.js";
import { DEFAULT_NAMESPACE, MONGODB_NAME } from "../src/shared/contract.js";
import { renderedResources, STACKS } from "./support/rendered.js";

/**
 * What the Monitoring API does to a dashboard on write, as documented by the providers that chase this diff
 * (GoogleCloudPlatform/magic-modules#18515, hashicorp/terraform-provider-google#7242) and visible in dashboards
 * exported from the API: zero-valued tile positions are omitted; xyCharts get chartOptions.mode COLOR,
 * yAxis.scale LINEAR and each data set targetAxis Y1.
 */
function apiRoundTrip(dashboard: any): any {
  const copy = structuredClone(dashboard);
  for (const t of copy.mosaicLayout.tiles) {
    if (t.xPos === 0) delete t.xPos;
    if (t.yPos === 0) delete t.yPos;
    const xy = t.widget.xyChart;
    if (!xy) continue;
    xy.chartOptions = { mode: "COLOR", ...xy.chartOptions };
    xy.yAxis = { scale: "LINEAR", ...xy.yAxis };
    for (const d of xy.dataSets) d.targetAxis ??= "Y1";
  }
  return copy;
}

describe.each(STACKS)("%s cloud stack: monitoring dashboard", (stack) => {
  const dashboardJson = () =>
    renderedResources(stack, "cloud").find((r) => r.type === "gcp:monitoring/dashboard:Dashboard")!.inputs
      .dashboardJson as string;

  it("when the API stores the dashboard and Pulumi refreshes it, then the JSON it reads back equals the program's (no diff on the next up)", () => {
    const ours = JSON.parse(dashboardJson());
    expect(apiRoundTrip(ours)).toEqual(ours);
  });

  it("when the dashboard is declared, then its tiles stay on the 48-column grid without overlap", () => {
    const tiles = JSON.parse(dashboardJson()).mosaicLayout.tiles as {
      xPos?: number;
      yPos?: number;
      width: number;
    }[];
    const cells = tiles.map((t) => `${t.xPos ?? 0},${t.yPos ?? 0}`);
    expect(new Set(cells).size).toBe(tiles.length);
    for (const t of tiles) expect((t.xPos ?? 0) + t.width).toBeLessThanOrEqual(48);
  });

  it("when the alert policies are declared, then they keep their resource names (no replacement of existing policies) and carry each shared rule's query, duration and description", () => {
    const policies = renderedResources(stack, "cloud").filter(
      (r) => r.type === "gcp:monitoring/alertPolicy:AlertPolicy",
    );
    expect(policies.map((p) => p.name).sort()).toEqual(
      [
        "platform-monitoring-error-rate",
        "platform-monitoring-hpa-max",
        "platform-monitoring-latency",
        "platform-monitoring-mongodb-members",
        "platform-monitoring-service-unavailable",
      ].sort(),
    );
    for (const rule of alertRules({
      namespace: DEFAULT_NAMESPACE,
      mongoStatefulSet: MONGODB_NAME,
      mongoNamespace: "mongodb",
    })) {
      const policy = policies.find((p) => p.name === `platform-monitoring-${rule.id}`)!.inputs;
      expect(policy.conditions[0].conditionPrometheusQueryLanguage).toMatchObject({
        query: rule.expr,
        duration: `${rule.forSeconds}s`,
      });
      expect(policy.documentation.content).toBe(rule.description);
    }
  });
});
