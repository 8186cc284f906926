/**
 * The platform's dashboard panels and alert rules, written once as PromQL and rendered for each metrics store:
 * Google Cloud Monitoring (Managed Prometheus) on GKE, and VictoriaMetrics' vmui plus vmalert in a local cluster.
 * Every expression is plain PromQL (no MetricsQL extensions) so both stores evaluate the same text.
 *
 * Series both environments provide: the services' `http_requests_total{namespace, job, route, method, status}` and
 * `http_request_duration_seconds_bucket{namespace, job, route, le}` with job = the service name;
 * the services' `process_cpu_seconds_total` (prom-client's defaults); kube-state-metrics v2 (HPA, Deployment,
 * StatefulSet, container requests). No provider is imported here (both layers load this file).
 */

/** What the panels and rules are about, and the thresholds that page. */
export interface ObservabilityOptions {
  /** The services' namespace (label `namespace`). */
  namespace: string;
  /** StatefulSet of the MongoDB replica set. */
  mongoStatefulSet: string;
  /** The replica set's namespace (the operator's own, not the services'). */
  mongoNamespace: string;
  /** PromQL range of every rate() in panels and rules; default "5m". */
  rateWindow?: string;
  /** Error ratio (0-1) that pages; default 0.05. */
  errorRatioThreshold?: number;
  /** p95 latency in seconds that pages; default 0.5. */
  latencyP95Seconds?: number;
  /** Multiplies every rule's `for` duration (local tests shorten them, e.g. 0.1); default 1. */
  forScale?: number;
}

/** One query of a panel; `legend` is a label template such as "{{job}} {{route}}". */
export interface PanelSeries {
  expr: string;
  legend: string;
}

/** A chart: its queries share one y-axis unit. */
export interface Panel {
  id: string;
  title: string;
  unit: "reqps" | "ratio" | "seconds" | "replicas" | "cores" | "count";
  series: PanelSeries[];
}

/** An alerting rule in Prometheus' sense: fires when `expr` returns series for `forSeconds`. */
export interface AlertRule {
  /** The alertname, e.g. ServiceErrorRatioHigh. */
  alert: string;
  /** Kebab-case id, e.g. error-rate (the cloud layer names its alert policies after it). */
  id: string;
  expr: string;
  forSeconds: number;
  severity: "page" | "ticket";
  summary: string;
  description: string;
}

const RANGE = /^\d+[smhdw]$/;

function settings(o: ObservabilityOptions) {
  const rateWindow = o.rateWindow ?? "5m";
  const errorRatio = o.errorRatioThreshold ?? 0.05;
  const latency = o.latencyP95Seconds ?? 0.5;
  const forScale = o.forScale ?? 1;
  if (!RANGE.test(rateWindow))
    throw new Error(`rateWindow must be a PromQL range such as "5m", got "${rateWindow}"`);
  if (!(errorRatio > 0 && errorRatio < 1)) throw new Error("errorRatioThreshold must be in (0, 1)");
  if (!(latency > 0)) throw new Error("latencyP95Seconds must be positive");
  if (!(forScale > 0)) throw new Error("forScale must be positive");
  return { rateWindow, errorRatio, latency, forScale };
}

/** The PromQL both the panels and the rules are built from, so a panel shows what its alert watches. */
function queries(o: ObservabilityOptions) {
  const { rateWindow: w } = settings(o);
  const ns = `namespace="${o.namespace}"`;
  const mongo = `namespace="${o.mongoNamespace}",statefulset="${o.mongoStatefulSet}"`;
  const requests = (extra = "") => `rate(http_requests_total{${ns}${extra}}[${w}])`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (job, le) (rate(http_request_duration_seconds_bucket{${ns}}[${w}])))`;
  const hpa = (metric: string) =>
    `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_${metric}{${ns}})`;
  return {
    requestRate: `sum by (job, route, status) (${requests()})`,
    // 0 rather than no data for a service that has answered no 5xx (the dashboard shows a line at 0).
    errorRatio: `(sum by (job) (${requests(',status=~"5.."')}) or 0 * sum by (job) (${requests()})) / sum by (job) (${requests()})`,
    latency: quantile,
    hpa,
    hpaAtMax: `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
    // The services' own process CPU (one process per container, prom-client's default metrics): the same series on
    // every cluster, where cAdvisor's per-container series depend on the runtime's cgroup setup. A service's
    // container is named after it, so `job` and `container` name the same thing.
    cpuUsed: `sum by (job) (rate(process_cpu_seconds_total{${ns}}[${w}]))`,
    cpuRequested: `sum by (container) (kube_pod_container_resource_requests{${ns},resource="cpu"})`,
    mongoReady: `kube_statefulset_status_replicas_ready{${mongo}}`,
    mongoDesired: `kube_statefulset_replicas{${mongo}}`,
    mongoNotReady: `kube_statefulset_replicas{${mongo}} - on (namespace, statefulset) kube_statefulset_status_replicas_ready{${mongo}} > 0`,
    unavailable: `kube_deployment_status_replicas_available{${ns}} == 0`,
  };
}

/** The platform dashboard: traffic, errors, latency, scaling, CPU and MongoDB, in that order. */
export function dashboardPanels(o: ObservabilityOptions): Panel[] {
  const q = queries(o);
  return [
    {
      id: "request-rate",
      title: "Requests per second by service, route and status",
      unit: "reqps",
      series: [{ expr: q.requestRate, legend: "{{job}} {{route}} {{status}}" }],
    },
    {
      id: "error-ratio",
      title: "5xx ratio by service",
      unit: "ratio",
      series: [{ expr: q.errorRatio, legend: "{{job}}" }],
    },
    {
      id: "latency",
      title: "Latency p50, p95, p99 (s) by service",
      unit: "seconds",
      series: [0.5, 0.95, 0.99].map((p) => ({
        expr: q.latency(p),
        legend: `{{job}} p${Math.round(p * 100)}`,
      })),
    },
    {
      id: "replicas",
      title: "Replicas against autoscaler bounds",
      unit: "replicas",
      series: (
        [
          ["status_current_replicas", "current"],
          ["status_desired_replicas", "desired"],
          ["spec_min_replicas", "min"],
          ["spec_max_replicas", "max"],
        ] as const
      ).map(([metric, what]) => ({ expr: q.hpa(metric), legend: `{{horizontalpodautoscaler}} ${what}` })),
    },
    {
      id: "cpu",
      title: "CPU used vs requested (cores) by service",
      unit: "cores",
      series: [
        { expr: q.cpuUsed, legend: "{{job}} used" },
        { expr: q.cpuRequested, legend: "{{container}} requested" },
      ],
    },
    {
      id: "mongodb-members",
      title: "MongoDB members ready",
      unit: "count",
      series: [
        { expr: q.mongoReady, legend: "ready" },
        { expr: q.mongoDesired, legend: "desired" },
      ],
    },
  ];
}

/** What pages the on-call: errors, latency, capped capacity, MongoDB members down, a service with no pods. */
export function alertRules(o: ObservabilityOptions): AlertRule[] {
  const { errorRatio, latency, forScale } = settings(o);
  const q = queries(o);
  const scaled = (seconds: number) => Math.max(1, Math.round(seconds * forScale));
  return [
    {
      alert: "ServiceErrorRatioHigh",
      id: "error-rate",
      expr: `(${q.errorRatio}) > ${errorRatio}`,
      forSeconds: scaled(300),
      severity: "page",
      summary: "Service 5xx ratio high",
      description: `More than ${errorRatio * 100}% of requests failed with 5xx for 5 minutes. Check the service logs.`,
    },
    {
      alert: "ServiceLatencyP95High",
      id: "latency",
      expr: `(${q.latency(0.95)}) > ${latency}`,
      forSeconds: scaled(600),
      severity: "page",
      summary: "Service p95 latency high",
      description: `p95 latency above ${latency}s for 10 minutes. Check MongoDB health and CPU throttling.`,
    },
    {
      alert: "AutoscalerAtMaxReplicas",
      id: "hpa-max",
      expr: q.hpaAtMax,
      forSeconds: scaled(900),
      severity: "page",
      summary: "Autoscaler at max replicas",
      description:
        "An HPA has run at maxReplicas for 15 minutes: capacity is capped. Raise the maximum or add nodes.",
    },
    {
      alert: "MongoDBMemberNotReady",
      id: "mongodb-members",
      expr: q.mongoNotReady,
      forSeconds: scaled(300),
      severity: "page",
      summary: "MongoDB member not ready",
      description:
        "A replica set member has not been ready for 5 minutes. Check the operator and the mongod pods.",
    },
    {
      alert: "ServiceUnavailable",
      id: "service-unavailable",
      expr: q.unavailable,
      forSeconds: scaled(60),
      severity: "page",
      summary: "Service has no available replicas",
      description:
        "A Deployment in the namespace has had no available replica for a minute: its requests fail. Check its pods' events and logs.",
    },
  ];
}

/**
 * An xyChart exactly as the Monitoring API returns it. The API fills in defaults (each data set's `targetAxis`
 * Y1, the chart's `chartOptions.mode` COLOR and `yAxis.scale` LINEAR); a dashboard JSON without them differs from
 * the stored one on every refresh, so every `pulumi up` showed an update. Declaring them makes the two equal.
 * Series are not given a legendTemplate: the console names each by its labels.
 */
function xyChart(panel: Panel) {
  return {
    title: panel.title,
    xyChart: {
      chartOptions: { mode: "COLOR" },
      dataSets: panel.series.map((s) => ({
        plotType: "LINE",
        targetAxis: "Y1",
        timeSeriesQuery: { prometheusQuery: s.expr },
      })),
      yAxis: { scale: "LINEAR" },
    },
  };
}

/**
 * A tile in a 48-column mosaic, two per row. The API omits zero-valued positions (proto3 JSON leaves out
 * defaults), so xPos/yPos 0 are left out here too.
 */
function tile(index: number, widget: object) {
  const xPos = (index % 2) * 24;
  const yPos = Math.floor(index / 2) * 16;
  return { ...(xPos ? { xPos } : {}), ...(yPos ? { yPos } : {}), width: 24, height: 16, widget };
}

/** The `dashboardJson` of a Cloud Monitoring dashboard: one xyChart tile per panel, two per row. */
export function cloudMonitoringDashboard(panels: Panel[], displayName: string): object {
  return { displayName, mosaicLayout: { columns: 48, tiles: panels.map((p, i) => tile(i, xyChart(p))) } };
}

/** vmui appends the unit to the y-axis ticks as text. */
const VMUI_UNITS: Record<Panel["unit"], string> = {
  reqps: "req/s",
  ratio: "ratio",
  seconds: "s",
  replicas: "replicas",
  cores: "cores",
  count: "",
};

/**
 * A vmui custom dashboard (a file in the directory `-vmui.customDashboardsPath` names): two panels per row on
 * vmui's 12-column width. Format: VictoriaMetrics v1.151.0 app/vmui/README.md "Predefined dashboards"
 * (DashboardSettings, DashboardRow, PanelSettings), as parsed by app/vmselect/vmui.go; the label templates of
 * `alias` are the same `{{label}}` form as a PanelSeries legend.
 */
export function vmuiDashboard(panels: Panel[], title: string): object {
  // One row (vmui shows the first row open and folds the others), two panels side by side on its 12 columns.
  return {
    title,
    rows: [
      {
        title: "Services",
        panels: panels.map((p) => ({
          title: p.title,
          ...(VMUI_UNITS[p.unit] ? { unit: VMUI_UNITS[p.unit] } : {}),
          width: 6,
          expr: p.series.map((s) => s.expr),
          alias: p.series.map((s) => s.legend),
        })),
      },
    ],
  };
}

/** A Prometheus rule file (as vmalert and Prometheus read it, in JSON, which is YAML) with the rules in one group. */
export function prometheusRuleGroups(rules: AlertRule[], groupName: string, intervalSeconds: number): string {
  // JSON is YAML (1.2): the platform layer imports no package beyond Pulumi and the contract (test/layers.test.ts).
  return JSON.stringify(
    {
      groups: [
        {
          name: groupName,
          interval: `${intervalSeconds}s`,
          rules: rules.map((r) => ({
            alert: r.alert,
            expr: r.expr,
            for: `${r.forSeconds}s`,
            labels: { severity: r.severity },
            annotations: { summary: r.summary, description: r.description },
          })),
        },
      ],
    },
    null,
    2,
  );
}
