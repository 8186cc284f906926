import type * as k8s from "@pulumi/kubernetes";

/** The GKE traffic-based autoscaling metric (requests per second relative to max-rate-per-endpoint). */
export const GCLB_CAPACITY_METRIC = "autoscaling.googleapis.com|gclb-capacity-fullness";

/** What an app scales on. */
export interface AutoscalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  /** Average CPU utilisation target, percent of the request. */
  cpuTargetPercent: number;
  /**
   * Traffic-based autoscaling: the Service carries `networking.gke.io/max-rate-per-endpoint` and the HPA keeps
   * `gclb-capacity-fullness` (percent of that rate, averaged over pods) at this target.
   */
  traffic?: { serviceName: string; capacityTargetPercent: number };
  /**
   * Request-rate autoscaling on any cluster: a Pods metric (the per-pod request rate served on
   * `custom.metrics.k8s.io`, see components/metrics.ts) kept at this average per pod.
   */
  requestRate?: { metric: string; averageValuePerPod: number };
  /** Stabilisation windows (seconds): scale-up reacts at once by default, scale-down waits. */
  scaleUpStabilizationSeconds?: number;
  scaleDownStabilizationSeconds?: number;
}

type HpaSpec = k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec;

/**
 * Builds an autoscaling/v2 HPA spec: CPU always, plus the Object traffic metric (GKE) and/or the Pods request-rate
 * metric when configured. With several metrics the HPA follows the one asking for most replicas; when one cannot
 * be read it still scales up on the others but never scales down (Kubernetes' rule), so a metrics outage cannot
 * shrink a service.
 */
export function hpaSpec(deploymentName: string, policy: AutoscalingPolicy): HpaSpec {
  if (policy.minReplicas < 1 || policy.minReplicas > policy.maxReplicas) {
    throw new Error(
      `minReplicas ${policy.minReplicas} must be between 1 and maxReplicas ${policy.maxReplicas}`,
    );
  }
  const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [
    {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: policy.cpuTargetPercent } },
    },
  ];
  if (policy.traffic) {
    // As in Google's traffic-based autoscaling guide: Object metric on the Service, AverageValue target in percent.
    metrics.unshift({
      type: "Object",
      object: {
        describedObject: { apiVersion: "v1", kind: "Service", name: policy.traffic.serviceName },
        metric: { name: GCLB_CAPACITY_METRIC },
        target: { type: "AverageValue", averageValue: String(policy.traffic.capacityTargetPercent) },
      },
    });
  }
  if (policy.requestRate) {
    if (!(policy.requestRate.averageValuePerPod > 0))
      throw new Error(
        `the request-rate target must be above 0, got ${policy.requestRate.averageValuePerPod}`,
      );
    // First, so `kubectl describe hpa` lists it first; the HPA takes the largest replica count any metric asks for.
    metrics.unshift({
      type: "Pods",
      pods: {
        metric: { name: policy.requestRate.metric },
        target: { type: "AverageValue", averageValue: String(policy.requestRate.averageValuePerPod) },
      },
    });
  }
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
    minReplicas: policy.minReplicas,
    maxReplicas: policy.maxReplicas,
    metrics,
    behavior: {
      // Scale up at once on a spike (double, or +4 pods, every 15 s, whichever adds more)...
      scaleUp: {
        stabilizationWindowSeconds: policy.scaleUpStabilizationSeconds ?? 0,
        selectPolicy: "Max",
        policies: [
          { type: "Percent", value: 100, periodSeconds: 15 },
          { type: "Pods", value: 4, periodSeconds: 15 },
        ],
      },
      // ...but shed capacity slowly, so a short lull does not cause a cold start on the next burst.
      scaleDown: {
        stabilizationWindowSeconds: policy.scaleDownStabilizationSeconds ?? 300,
        selectPolicy: "Min",
        policies: [{ type: "Percent", value: 25, periodSeconds: 60 }],
      },
    },
  };
}
