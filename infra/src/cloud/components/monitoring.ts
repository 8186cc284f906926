import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

import { alertRules, cloudMonitoringDashboard, dashboardPanels } from "../../shared/observability.js";

/** Arguments for {@link Monitoring}. */
export interface MonitoringArgs {
  namespace: string;
  /** StatefulSet the operator creates for the replica set (same name as the MongoDBCommunity). */
  mongoStatefulSet: string;
  /** The replica set's namespace (the platform layer's mongodbNamespace). */
  mongoNamespace: string;
  /** Where alerts go; empty = alerts only show in the console. */
  alertEmail?: string;
  /** Error ratio (0-1) over 5 minutes that pages. */
  errorRatioThreshold?: number;
  /** p95 latency in seconds that pages. */
  latencyP95Seconds?: number;
}

/**
 * A Cloud Monitoring dashboard and one alert policy per alert rule, both from the platform's shared panels and
 * rules (shared/observability.ts), which a local cluster renders for VictoriaMetrics too. Queries run on Managed
 * Prometheus: the services' own metrics plus GKE's kube-state-metrics package.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly dashboard: gcp.monitoring.Dashboard;
  readonly alertPolicies: gcp.monitoring.AlertPolicy[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:Monitoring", name, {}, opts);
    const errorRatio = args.errorRatioThreshold ?? 0.05;
    if (errorRatio <= 0 || errorRatio >= 1)
      throw new pulumi.ResourceError("errorRatioThreshold must be in (0, 1)", this);
    const child = { parent: this };
    const options = {
      namespace: args.namespace,
      mongoStatefulSet: args.mongoStatefulSet,
      mongoNamespace: args.mongoNamespace,
      errorRatioThreshold: errorRatio,
      latencyP95Seconds: args.latencyP95Seconds,
    };

    this.dashboard = new gcp.monitoring.Dashboard(
      `${name}-dashboard`,
      {
        dashboardJson: JSON.stringify(
          cloudMonitoringDashboard(dashboardPanels(options), "GKE platform services"),
        ),
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
    // Resource names stay `${name}-${rule.id}` (error-rate, latency, hpa-max, mongodb-members as before), so
    // existing stacks update their policies in place instead of replacing them.
    this.alertPolicies = alertRules(options).map(
      (rule) =>
        new gcp.monitoring.AlertPolicy(
          `${name}-${rule.id}`,
          {
            displayName: rule.summary,
            combiner: "OR",
            severity: "ERROR",
            notificationChannels: channels,
            documentation: { content: rule.description, mimeType: "text/markdown" },
            alertStrategy: { autoClose: "1800s" },
            conditions: [
              {
                displayName: rule.summary,
                conditionPrometheusQueryLanguage: {
                  query: rule.expr,
                  duration: `${rule.forSeconds}s`,
                  evaluationInterval: "60s",
                },
              },
            ],
          },
          child,
        ),
    );
    this.registerOutputs({ dashboardId: this.dashboard.id });
  }
}
