import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import {
  alertRules,
  cloudMonitoringDashboard,
  dashboardPanels,
  prometheusRuleGroups,
  vmuiDashboard,
  type ObservabilityOptions,
} from "../src/shared/observability.js";

/** VictoriaMetrics' DashboardSettings (app/vmui/packages/vmui/src/types/index.ts), as the test reads it. */
interface VmuiDashboard {
  title: string;
  rows: {
    title?: string;
    panels: Record<string, unknown> & { title: string; expr: string[]; alias: string[]; width: number }[];
  }[];
}
interface CloudDashboard {
  mosaicLayout: {
    tiles: {
      widget: { title: string; xyChart: { dataSets: { timeSeriesQuery: { prometheusQuery: string } }[] } };
    }[];
  };
}
interface RuleFile {
  groups: { name: string; interval: string; rules: { alert: string; for: string }[] }[];
}

const options: ObservabilityOptions = {
  namespace: "platform",
  mongoStatefulSet: "mongodb",
  mongoNamespace: "mongodb",
};

/** Every expression of the panels and rules, with where it comes from for the failure message. */
function expressions(o: ObservabilityOptions): [string, string][] {
  return [
    ...dashboardPanels(o).flatMap((p) =>
      p.series.map((s, i): [string, string] => [`panel ${p.id}[${i}]`, s.expr]),
    ),
    ...alertRules(o).map((r): [string, string] => [`rule ${r.alert}`, r.expr]),
  ];
}

/**
 * What the Prometheus project's own PromQL grammar finds wrong with `expr`, and the ranges of its range selectors.
 * The grammar accepts `rate(x)` (no range), which MetricsQL allows and Managed Prometheus rejects, so a range
 * function whose argument is not a range selector counts as a problem too.
 */
function promql(expr: string): { problems: string[]; ranges: string[] } {
  const problems: string[] = [];
  const ranges: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        problems.push(`syntax error at ${node.from}: "${expr.slice(node.from, node.to + 10)}"`);
      if (node.name === "NumberDurationLiteralInDurationContext") ranges.push(expr.slice(node.from, node.to));
      if (node.name === "FunctionCall") {
        const fn = node.node.getChild("FunctionIdentifier");
        const body = node.node.getChild("FunctionCallBody");
        const name = fn ? expr.slice(fn.from, fn.to) : "";
        if (/^(rate|irate|increase)$/.test(name) && !body?.getChild("MatrixSelector"))
          problems.push(`${name}() without a range selector`);
      }
    },
  });
  return { problems, ranges };
}

describe("PromQL check", () => {
  it("when an expression is broken or uses MetricsQL's implicit range, then the check reports it (the check can fail)", () => {
    expect(promql('sum by (job) (rate(http_requests_total{namespace="p"}[5m])').problems).not.toEqual([]);
    expect(promql("sum(rate(http_requests_total))").problems).toEqual(["rate() without a range selector"]);
    expect(promql("sum(rate(http_requests_total[5m]))")).toEqual({ problems: [], ranges: ["5m"] });
  });
});

describe("shared panels and alert rules", () => {
  it.each(expressions(options))("when %s is parsed as PromQL, then it has no error", (_, expr) => {
    expect(promql(expr).problems).toEqual([]);
  });

  it("when rateWindow is set, then every range in every panel and rule is that window", () => {
    const all = expressions({ ...options, rateWindow: "2m" }).flatMap(([, e]) => promql(e).ranges);
    expect(all.length).toBeGreaterThan(5);
    expect(new Set(all)).toEqual(new Set(["2m"]));
    expect(new Set(expressions(options).flatMap(([, e]) => promql(e).ranges))).toEqual(new Set(["5m"]));
  });

  it("when no options beyond the names are given, then the rules keep the cloud layer's conditions: 5% errors for 5 min, p95 0.5 s for 10 min, HPA at max 15 min, MongoDB member 5 min, no available replica 1 min", () => {
    const rules = alertRules(options);
    expect(rules.map((r) => [r.id, r.alert, r.forSeconds, r.severity])).toEqual([
      ["error-rate", "ServiceErrorRatioHigh", 300, "page"],
      ["latency", "ServiceLatencyP95High", 600, "page"],
      ["hpa-max", "AutoscalerAtMaxReplicas", 900, "page"],
      ["mongodb-members", "MongoDBMemberNotReady", 300, "page"],
      ["service-unavailable", "ServiceUnavailable", 60, "page"],
    ]);
    expect(rules[0]!.expr).toMatch(/\) > 0\.05$/);
    expect(rules[1]!.expr).toMatch(/^\(histogram_quantile\(0\.95, .*\) > 0\.5$/);
    expect(rules[4]!.expr).toBe('kube_deployment_status_replicas_available{namespace="platform"} == 0');
    // The services' series in their namespace; the replica set's StatefulSet in its own.
    for (const [id, expr] of expressions(options))
      expect(expr, id).toContain(
        expr.includes("statefulset") ? 'namespace="mongodb"' : 'namespace="platform"',
      );
  });

  it("when thresholds are set, then the rules compare against them", () => {
    const rules = alertRules({ ...options, errorRatioThreshold: 0.2, latencyP95Seconds: 1.5 });
    expect(rules.find((r) => r.id === "error-rate")!.expr).toMatch(/\) > 0\.2$/);
    expect(rules.find((r) => r.id === "latency")!.expr).toMatch(/\) > 1\.5$/);
  });

  it("when forScale is 0.1, then every rule's for duration is a tenth", () => {
    const full = alertRules(options).map((r) => r.forSeconds);
    expect(alertRules({ ...options, forScale: 0.1 }).map((r) => r.forSeconds)).toEqual(
      full.map((s) => s / 10),
    );
  });

  it.each([
    [{ errorRatioThreshold: 0 }, /errorRatioThreshold/],
    [{ errorRatioThreshold: 1 }, /errorRatioThreshold/],
    [{ forScale: 0 }, /forScale/],
    [{ rateWindow: "five minutes" }, /rateWindow/],
  ])("when an option is out of range (%o), then building the rules throws", (bad, message) => {
    expect(() => alertRules({ ...options, ...bad })).toThrow(message);
  });

  it("when the dashboard is built, then it has the panels the issue asks for, each series with a legend", () => {
    const panels = dashboardPanels(options);
    expect(panels.map((p) => p.id)).toEqual([
      "request-rate",
      "error-ratio",
      "latency",
      "replicas",
      "cpu",
      "mongodb-members",
    ]);
    const legends = (id: string) => panels.find((p) => p.id === id)!.series.map((s) => s.legend);
    expect(legends("request-rate")).toEqual(["{{job}} {{route}} {{status}}"]);
    expect(legends("latency")).toEqual(["{{job}} p50", "{{job}} p95", "{{job}} p99"]);
    expect(legends("replicas")).toEqual([
      "{{horizontalpodautoscaler}} current",
      "{{horizontalpodautoscaler}} desired",
      "{{horizontalpodautoscaler}} min",
      "{{horizontalpodautoscaler}} max",
    ]);
    expect(legends("cpu")).toEqual(["{{job}} used", "{{container}} requested"]);
    expect(new Set(panels.map((p) => p.title)).size).toBe(panels.length);
  });
});

describe("renderings", () => {
  const panels = dashboardPanels(options);

  it("when the panels are rendered for vmui, then the JSON has VictoriaMetrics' custom dashboard shape (title, rows[].panels[] with expr[], alias[] per expr, width 1-12)", () => {
    const dashboard = vmuiDashboard(panels, "Platform services") as VmuiDashboard;
    expect(Object.keys(dashboard).sort()).toEqual(["rows", "title"]);
    expect(dashboard.title).toBe("Platform services");
    // One row: vmui opens the first row of a dashboard and folds the others.
    expect(dashboard.rows).toHaveLength(1);
    const panelKeys = new Set(["title", "description", "unit", "expr", "alias", "showLegend", "width"]);
    for (const row of dashboard.rows) {
      expect(Array.isArray(row.panels)).toBe(true);
      // Panels wrap onto the next line of their row (app/vmui/README.md's example puts four of width 6 in one).
      for (const p of row.panels) {
        for (const key of Object.keys(p)) expect(panelKeys).toContain(key);
        expect(Number.isInteger(p.width) && p.width >= 1 && p.width <= 12).toBe(true);
        expect(p.expr.length).toBeGreaterThan(0);
        for (const e of p.expr) expect(typeof e).toBe("string");
        expect(p.alias).toHaveLength(p.expr.length);
        if ("unit" in p) expect(typeof p["unit"]).toBe("string");
      }
    }
    const rendered = dashboard.rows.flatMap((r) => r.panels);
    expect(rendered.flatMap((p) => p.expr)).toEqual(panels.flatMap((p) => p.series.map((s) => s.expr)));
    expect(rendered.flatMap((p) => p.alias)).toEqual(panels.flatMap((p) => p.series.map((s) => s.legend)));
  });

  it("when the panels are rendered for both stores, then the same titles in the same order appear in each (defined once)", () => {
    const cloud = cloudMonitoringDashboard(panels, "GKE platform services") as CloudDashboard;
    const vmui = vmuiDashboard(panels, "GKE platform services") as VmuiDashboard;
    const titles = panels.map((p) => p.title);
    expect(cloud.mosaicLayout.tiles.map((t) => t.widget.title)).toEqual(titles);
    expect(vmui.rows.flatMap((r) => r.panels.map((p) => p.title))).toEqual(titles);
    expect(
      cloud.mosaicLayout.tiles.flatMap((t) =>
        t.widget.xyChart.dataSets.map((d) => d.timeSeriesQuery.prometheusQuery),
      ),
    ).toEqual(panels.flatMap((p) => p.series.map((s) => s.expr)));
  });

  it("when the rules are rendered as a Prometheus rule file, then the YAML parses into one group with every alert, its for, severity and annotations", () => {
    const rules = alertRules({ ...options, forScale: 0.1 });
    const file = parse(prometheusRuleGroups(rules, "platform", 15)) as RuleFile;
    expect(Object.keys(file)).toEqual(["groups"]);
    expect(file.groups).toHaveLength(1);
    const group = file.groups[0]!;
    expect(group.name).toBe("platform");
    expect(group.interval).toBe("15s");
    expect(group.rules.map((r) => r.alert)).toEqual([
      "ServiceErrorRatioHigh",
      "ServiceLatencyP95High",
      "AutoscalerAtMaxReplicas",
      "MongoDBMemberNotReady",
      "ServiceUnavailable",
    ]);
    expect(group.rules).toEqual(
      rules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        for: `${r.forSeconds}s`,
        labels: { severity: r.severity },
        annotations: { summary: r.summary, description: r.description },
      })),
    );
    expect(group.rules.map((r) => r.for)).toEqual(["30s", "60s", "90s", "30s", "6s"]);
  });
});
