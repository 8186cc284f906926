import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Arguments for {@link Monitoring}. */
export interface MonitoringArgs {
  namespace: string;
  /** StatefulSet the operator creates for the replica set (same name as the MongoDBCommunity). */
  mongoStatefulSet: string;
  /** Where alerts go; empty = alerts only show in the console. */
  alertEmail?: string;
  /** Error ratio (0-1) over 5 minutes that pages. */
  errorRatioThreshold?: number;
  /** p95 latency in seconds that pages. */
  latencyP95Seconds?: number;
}

/** PromQL over Managed Prometheus: the services' own metrics plus GKE's kube-state-metrics package. */
export function queries(ns: string, mongo: string) {
  const sel = `namespace="${ns}"`;
  return {
    requestRate: `sum by (job) (rate(http_requests_total{${sel}}[5m]))`,
    errorRatio: `sum by (job) (rate(http_requests_total{${sel},status=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{${sel}}[5m]))`,
    latencyP95: `histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
    desiredReplicas: `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas{${sel}})`,
    currentReplicas: `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${sel}})`,
    hpaAtMax: `kube_horizontalpodautoscaler_status_current_replicas{${sel}} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${sel}}`,
    mongoReady: `kube_statefulset_status_replicas_ready{${sel},statefulset="${mongo}"}`,
    mongoNotReady: `kube_statefulset_replicas{${sel},statefulset="${mongo}"} - on (namespace, statefulset) kube_statefulset_status_replicas_ready{${sel},statefulset="${mongo}"} > 0`,
  };
}

/**
 * An xyChart exactly as the Monitoring API returns it. The API fills in defaults (each data set's `targetAxis`
 * Y1, the chart's `chartOptions.mode` COLOR and `yAxis.scale` LINEAR); a dashboard JSON without them differs from
 * the stored one on every refresh, so every `pulumi up` showed an update. Declaring them makes the two equal.
 */
export function chart(title: string, promql: string[]) {
  return {
    title,
    xyChart: {
      chartOptions: { mode: "COLOR" },
      dataSets: promql.map((prometheusQuery) => ({
        plotType: "LINE",
        targetAxis: "Y1",
        timeSeriesQuery: { prometheusQuery },
      })),
      yAxis: { scale: "LINEAR" },
    },
  };
}

/**
 * A tile in a 48-column mosaic, two per row. The API omits zero-valued positions (proto3 JSON leaves out
 * defaults), so xPos/yPos 0 are left out here too.
 */
export function tile(index: number, widget: object) {
  const xPos = (index % 2) * 24;
  const yPos = Math.floor(index / 2) * 16;
  return { ...(xPos ? { xPos } : {}), ...(yPos ? { yPos } : {}), width: 24, height: 16, widget };
}

/**
 * A Cloud Monitoring dashboard (request rate, error ratio, latency, replicas desired vs current, MongoDB members
 * ready) and alert policies for error ratio, latency, HPAs pinned at their maximum and MongoDB members down.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly dashboard: gcp.monitoring.Dashboard;
  readonly alertPolicies: gcp.monitoring.AlertPolicy[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:Monitoring", name, {}, opts);
    const errorRatio = args.errorRatioThreshold ?? 0.05;
    const latency = args.latencyP95Seconds ?? 0.5;
    if (errorRatio <= 0 || errorRatio >= 1)
      throw new pulumi.ResourceError("errorRatioThreshold must be in (0, 1)", this);
    const child = { parent: this };
    const q = queries(args.namespace, args.mongoStatefulSet);

    const tiles = [
      chart("Requests per second by service", [q.requestRate]),
      chart("5xx ratio by service", [q.errorRatio]),
      chart("p95 latency (s) by service", [q.latencyP95]),
      chart("Replicas: desired vs current", [q.desiredReplicas, q.currentReplicas]),
      chart("MongoDB members ready", [q.mongoReady]),
    ].map((widget, i) => tile(i, widget));
    this.dashboard = new gcp.monitoring.Dashboard(
      `${name}-dashboard`,
      {
        dashboardJson: JSON.stringify({
          displayName: "GKE platform services",
          mosaicLayout: { columns: 48, tiles },
        }),
      },
      child,
    );

    const channels = args.alertEmail
      ? [
          new gcp.monitoring.NotificationChannel(
            `${name}-email`,
            { type: "email", displayName: "Platform on-call", labels: { email_address: args.alertEmail } },
            child,
          ).id,
        ]
      : [];
    const alert = (id: string, displayName: string, query: string, duration: string, content: string) =>
      new gcp.monitoring.AlertPolicy(
        `${name}-${id}`,
        {
          displayName,
          combiner: "OR",
          severity: "ERROR",
          notificationChannels: channels,
          documentation: { content, mimeType: "text/markdown" },
          alertStrategy: { autoClose: "1800s" },
          conditions: [
            { displayName, conditionPrometheusQueryLanguage: { query, duration, evaluationInterval: "60s" } },
          ],
        },
        child,
      );
    this.alertPolicies = [
      alert(
        "error-rate",
        "Service 5xx ratio high",
        `(${q.errorRatio}) > ${errorRatio}`,
        "300s",
        `More than ${errorRatio * 100}% of requests failed with 5xx for 5 minutes. Check the service logs.`,
      ),
      alert(
        "latency",
        "Service p95 latency high",
        `(${q.latencyP95}) > ${latency}`,
        "600s",
        `p95 latency above ${latency}s for 10 minutes. Check MongoDB health and CPU throttling.`,
      ),
      alert(
        "hpa-max",
        "Autoscaler at max replicas",
        q.hpaAtMax,
        "900s",
        "An HPA has run at maxReplicas for 15 minutes: capacity is capped. Raise the maximum or add nodes.",
      ),
      alert(
        "mongodb-members",
        "MongoDB member not ready",
        q.mongoNotReady,
        "300s",
        "A replica set member has not been ready for 5 minutes. Check the operator and the mongod pods.",
      ),
    ];
    this.registerOutputs({ dashboardId: this.dashboard.id });
  }
}
