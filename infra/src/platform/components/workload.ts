import { HEALTH_PATH, METRICS_PATH, READINESS_PATH, type EnvName } from "@platform/contract";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { hpaSpec, type AutoscalingPolicy } from "./autoscaling.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security.js";

/**
 * A peer in the NetworkPolicy graph: pods selected by their `app` label, in the same namespace or in `namespace`
 * (the operator's MongoDB), or an address range outside the cluster (an external database).
 */
export type Peer =
  { app: string; port: number; namespace?: pulumi.Input<string> } | { cidr: string; port: number };

/** The NetworkPolicy peer (`to`/`from` entry) for {@link Peer}. */
export function policyPeer(peer: Peer): Record<string, unknown> {
  if ("cidr" in peer) return { ipBlock: { cidr: peer.cidr } };
  const pods = { podSelector: { matchLabels: { app: peer.app } } };
  return peer.namespace === undefined
    ? pods
    : { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } }, ...pods };
}

/** A value taken from a key of a Secret in the workload's namespace. */
export interface SecretKeyRef {
  secretName: pulumi.Input<string>;
  key: string;
}

/** Arguments for {@link Workload}. */
export interface WorkloadArgs {
  namespace: pulumi.Input<string>;
  /** Full image reference (`repo/name@sha256:...` or `repo/name:tag`). */
  image: pulumi.Input<string>;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** Port of the HTTP API (named `http`). */
  port: number;
  /** Port of the Prometheus endpoint (named `metrics`); never exposed on the Service. */
  metricsPort: number;
  /** Typed by the runtime contract: a variable no service reads does not compile. */
  env: Partial<Record<EnvName, pulumi.Input<string>>>;
  secretEnv: Partial<Record<EnvName, SecretKeyRef>>;
  /** Annotations of the pod template: a change rolls the pods. */
  podAnnotations?: Record<string, string>;
  resources: { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
  /** `maxRatePerEndpoint` becomes the GKE Service annotation (traffic-based autoscaling reads it). */
  autoscaling: AutoscalingPolicy & { maxRatePerEndpoint?: number };
  /** Declare a PodMonitoring (GKE Managed Prometheus) for the metrics port. */
  podMonitoring: boolean;
  /** The in-cluster scraper (components/metrics.ts), admitted to the metrics port. */
  scrapedBy?: { namespace: string; app: string };
  /** Seconds the pod keeps serving after deletion starts, so the load balancer stops routing to it first. */
  preStopSleepSeconds: number;
  /** The app's own bound on draining after SIGTERM (SHUTDOWN_TIMEOUT_MS), in seconds. */
  shutdownTimeoutSeconds: number;
  /**
   * How long `pulumi up` waits for the Deployment to roll out before the update fails (the provider's
   * `pulumi.com/timeoutSeconds`; a version that never becomes ready fails the deploy after this long).
   */
  rolloutTimeoutSeconds: number;
  /** `DoNotSchedule` keeps replicas in different zones strictly (regional clusters). */
  zoneSpread: "DoNotSchedule" | "ScheduleAnyway";
  /** Who may open connections to the app port. */
  ingressFromCidrs: readonly string[];
  ingressFromApps: readonly string[];
  /** Where the pods may connect to (DNS egress is allowed namespace-wide). */
  egressTo: readonly Peer[];
}

/**
 * One service on the cluster: ServiceAccount, Deployment (hardened, zero-downtime rollout), Service,
 * PodDisruptionBudget, HorizontalPodAutoscaler, PodMonitoring (optional) and the service's NetworkPolicy.
 */
export class Workload extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly hpa: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  /** In-cluster base URL, e.g. http://<service>.platform.svc.cluster.local:<port> */
  readonly internalUrl: pulumi.Output<string>;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Workload", name, {}, opts);
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name))
      throw new pulumi.ResourceError(`name "${name}" is not a DNS label`, this);
    if (args.port === args.metricsPort) {
      throw new pulumi.ResourceError(
        "port and metricsPort must differ: metrics are never served on the API port",
        this,
      );
    }
    const grace = args.preStopSleepSeconds + args.shutdownTimeoutSeconds + 5;
    const labels = { app: name, "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "gke-platform" };
    const selector = { app: name };
    const meta = { name, namespace: args.namespace, labels };
    const child = { parent: this };

    this.serviceAccount = new k8s.core.v1.ServiceAccount(
      name,
      { metadata: meta, automountServiceAccountToken: false },
      child,
    );

    const env: k8s.types.input.core.v1.EnvVar[] = [
      ...Object.entries(args.env).map(([envName, value]) => ({ name: envName, value })),
      ...Object.entries(args.secretEnv).map(([envName, ref]) => ({
        name: envName,
        valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
      })),
    ];

    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: {
          ...meta,
          annotations: { "pulumi.com/timeoutSeconds": String(args.rolloutTimeoutSeconds) },
        },
        spec: {
          // The HPA owns the replica count; this is only the first rollout's size.
          replicas: args.autoscaling.minReplicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
          template: {
            metadata: {
              labels,
              ...(args.podAnnotations && Object.keys(args.podAnnotations).length > 0
                ? { annotations: args.podAnnotations }
                : {}),
            },
            spec: {
              serviceAccountName: this.serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              terminationGracePeriodSeconds: grace,
              securityContext: restrictedPodSecurityContext,
              topologySpreadConstraints: [
                {
                  topologyKey: "topology.kubernetes.io/zone",
                  maxSkew: 1,
                  whenUnsatisfiable: args.zoneSpread,
                  labelSelector: { matchLabels: selector },
                },
                {
                  topologyKey: "kubernetes.io/hostname",
                  maxSkew: 1,
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: selector },
                },
              ],
              containers: [
                {
                  name,
                  image: args.image,
                  // Images are referenced by digest or immutable tag, so a cached copy is always the right one
                  // (IfNotPresent); a cluster without a registry runs images imported into its runtime (Never).
                  imagePullPolicy: args.imagePullPolicy,
                  ports: [
                    { name: "http", containerPort: args.port, protocol: "TCP" },
                    { name: "metrics", containerPort: args.metricsPort, protocol: "TCP" },
                  ],
                  env,
                  resources: {
                    requests: { cpu: args.resources.cpuRequest, memory: args.resources.memoryRequest },
                    limits: { cpu: args.resources.cpuLimit, memory: args.resources.memoryLimit },
                  },
                  startupProbe: {
                    httpGet: { path: HEALTH_PATH, port: "http" },
                    periodSeconds: 2,
                    failureThreshold: 30,
                  },
                  livenessProbe: {
                    httpGet: { path: HEALTH_PATH, port: "http" },
                    periodSeconds: 10,
                    timeoutSeconds: 2,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    httpGet: { path: READINESS_PATH, port: "http" },
                    periodSeconds: 5,
                    timeoutSeconds: 2,
                    failureThreshold: 2,
                  },
                  // No shell in the image: the kubelet's own sleep action keeps the old pod serving while the
                  // load balancer and kube-proxy/Dataplane V2 remove its endpoint.
                  lifecycle: { preStop: { sleep: { seconds: args.preStopSleepSeconds } } },
                  securityContext: restrictedContainerSecurityContext,
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              // The root filesystem is read-only; Node and libraries still expect a writable /tmp.
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            },
          },
        },
      },
      { ...child, ignoreChanges: ["spec.replicas"] },
    );

    const annotations: Record<string, string> = {};
    if (args.autoscaling.maxRatePerEndpoint !== undefined) {
      annotations["networking.gke.io/max-rate-per-endpoint"] = String(args.autoscaling.maxRatePerEndpoint);
    }
    this.service = new k8s.core.v1.Service(
      name,
      {
        metadata: { ...meta, annotations },
        spec: {
          type: "ClusterIP",
          selector,
          ports: [{ name: "http", port: args.port, targetPort: "http", protocol: "TCP" }],
        },
      },
      child,
    );

    new k8s.policy.v1.PodDisruptionBudget(
      name,
      { metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
      child,
    );

    this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      name,
      { metadata: meta, spec: hpaSpec(name, args.autoscaling) },
      { ...child, dependsOn: [this.deployment, this.service] },
    );

    if (args.podMonitoring) {
      new k8s.apiextensions.CustomResource(
        `${name}-metrics`,
        {
          apiVersion: "monitoring.googleapis.com/v1",
          kind: "PodMonitoring",
          metadata: meta,
          spec: {
            selector: { matchLabels: selector },
            endpoints: [{ port: "metrics", path: METRICS_PATH, interval: "30s" }],
          },
        },
        child,
      );
    }

    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: meta,
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ["Ingress", "Egress"],
          ingress: [
            ...(args.ingressFromCidrs.length + args.ingressFromApps.length > 0
              ? [
                  {
                    from: [
                      ...args.ingressFromCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                      ...args.ingressFromApps.map((app) => ({ podSelector: { matchLabels: { app } } })),
                    ],
                    ports: [{ protocol: "TCP", port: args.port }],
                  },
                ]
              : []),
            {
              // Managed Prometheus collectors run in gmp-system and scrape the metrics port only.
              from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }],
              ports: [{ protocol: "TCP", port: args.metricsPort }],
            },
            ...(args.scrapedBy
              ? [
                  {
                    // The in-cluster metrics store, and nothing else of its namespace.
                    from: [
                      {
                        namespaceSelector: {
                          matchLabels: { "kubernetes.io/metadata.name": args.scrapedBy.namespace },
                        },
                        podSelector: { matchLabels: { app: args.scrapedBy.app } },
                      },
                    ],
                    ports: [{ protocol: "TCP", port: args.metricsPort }],
                  },
                ]
              : []),
          ],
          egress: args.egressTo.map((peer) => ({
            to: [policyPeer(peer)],
            ports: [{ protocol: "TCP", port: peer.port }],
          })),
        },
      },
      child,
    );

    this.internalUrl = pulumi.interpolate`http://${name}.${args.namespace}.svc.cluster.local:${args.port}`;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
