import { createHash } from "node:crypto";

import { HEALTH_PATH, METRICS_PATH, READINESS_PATH } from "@platform/contract";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PlatformNamespace } from "./namespace.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security.js";

/**
 * The custom metric every service that scales on requests is measured by: its own `http_requests_total` (the
 * runtime contract's counter), as a per-second rate per pod, served on `custom.metrics.k8s.io` by prometheus-adapter.
 */
export const REQUEST_RATE_METRIC = "http_requests_per_second";

/** The images of the in-cluster metrics stack (`metricsImages` in the stack config). */
export interface MetricsImages {
  readonly victoriaMetrics: string;
  readonly vmalert: string;
  readonly kubeStateMetrics: string;
  readonly prometheusAdapter: string;
}

/** Arguments for {@link MetricsStack}. */
export interface MetricsStackArgs {
  /** The namespace the stack runs in (created here, default-deny like the services' own). */
  namespace: string;
  /** The services' namespace, whose metrics ports are scraped and whose objects kube-state-metrics reports. */
  servicesNamespace: string;
  /** The operator's MongoDB namespace, whose StatefulSet kube-state-metrics also reports; undefined = none. */
  databaseNamespace?: string;
  /** The services scraped: each one's pods carry `app: <name>` and a container port named `metrics`. */
  services: readonly { name: string; metricsPort: number }[];
  images: MetricsImages;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** How long samples are kept (VictoriaMetrics `-retentionPeriod`, e.g. `2d`). */
  retention: string;
  /** Bound on the store's disk (its emptyDir's sizeLimit). */
  storageLimit: string;
  /** The rate window of the request-rate metric the HPAs read (e.g. `1m`). */
  requestRateWindow: string;
  /** vmui custom dashboards, by file name (`<name>.json`). */
  dashboards: Record<string, string>;
  /** Prometheus-format rule groups (YAML) vmalert evaluates. */
  alertRules: string;
  /** Where the Kubernetes API server is, for the stack's service discovery and the aggregated API's callers. */
  apiServerCidrs: readonly string[];
  apiServerPort: number;
  /** Addresses (CIDRs) outside the cluster allowed to query the store and vmalert; none by default. */
  ingressCidrs: readonly string[];
  /** Expose the store and vmalert on these node ports (0: not exposed). */
  nodePorts: { victoriaMetrics: number; vmalert: number };
}

const VM_PORT = 8428;
const VMALERT_PORT = 8880;
const KSM_PORT = 8080;
const ADAPTER_PORT = 6443;
/** How far behind now the store answers and vmalert evaluates: one scrape's duration at most. */
const LATENCY_OFFSET = "5s";

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** The scrape configuration (Prometheus format) of the store. */
export function scrapeConfig(
  servicesNamespace: string,
  services: readonly string[],
  namespace: string,
): string {
  const config = {
    global: { scrape_interval: "15s", scrape_timeout: "10s" },
    scrape_configs: [
      {
        // Each service's pods, on their `metrics` port; `job` is the service's name, as GKE's PodMonitoring
        // names it, so one set of queries serves both.
        job_name: "services",
        metrics_path: METRICS_PATH,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [servicesNamespace] } }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "metrics", action: "keep" },
          {
            source_labels: ["__meta_kubernetes_pod_label_app"],
            regex: services.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
            action: "keep",
          },
          { source_labels: ["__meta_kubernetes_pod_label_app"], target_label: "job" },
          { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        ],
      },
      {
        // The objects' state (HPA replicas and bounds, deployments, CPU requests): its own labels win.
        job_name: "kube-state-metrics",
        honor_labels: true,
        static_configs: [{ targets: [`kube-state-metrics.${namespace}.svc:${KSM_PORT}`] }],
      },
    ],
  };
  return JSON.stringify(config, null, 2);
}

/**
 * prometheus-adapter's rule: `http_requests_total` of each pod as `http_requests_per_second`, the kubelet's probes
 * left out (a load balancer's request rate does not count them either).
 */
export function adapterConfig(rateWindow: string): string {
  const probes = [HEALTH_PATH, READINESS_PATH].join("|");
  return JSON.stringify(
    {
      rules: [
        {
          seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
          name: { matches: "^http_requests_total$", as: REQUEST_RATE_METRIC },
          // A pod that has only answered probes reads 0, not "no data": with a metric missing, the HPA cannot
          // scale in.
          metricsQuery:
            `sum(rate(<<.Series>>{<<.LabelMatchers>>,route!~"${probes}"}[${rateWindow}])) by (<<.GroupBy>>)` +
            ` or (0 * sum(rate(<<.Series>>{<<.LabelMatchers>>}[${rateWindow}])) by (<<.GroupBy>>))`,
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The in-cluster metrics pipeline for any cluster without a managed one (`metricsStack: in-cluster`):
 * VictoriaMetrics single-node (scrapes the services and kube-state-metrics; bounded
 * retention; vmui serves the dashboards), vmalert (evaluates the platform's alert rules, writes `ALERTS` back into
 * the store), kube-state-metrics and prometheus-adapter, which serves the request rate to the HPA controller as
 * `custom.metrics.k8s.io`. Default-deny namespace; every flow below is declared.
 */
export class MetricsStack extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** In-cluster URL of the store's Prometheus HTTP API. */
  readonly storeUrl: pulumi.Output<string>;

  constructor(name: string, args: MetricsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:MetricsStack", name, {}, opts);
    const ns = new PlatformNamespace(
      `${name}-namespace`,
      { name: args.namespace, protect: false },
      { parent: this },
    );
    const child = { parent: this, dependsOn: [ns] };
    const namespace = ns.name;
    this.namespace = namespace;
    const svcDns = (svc: string) => `${svc}.${args.namespace}.svc`;
    const storeUrl = `http://${svcDns("victoria-metrics")}:${VM_PORT}`;
    this.storeUrl = pulumi.output(storeUrl);
    const labelsOf = (app: string) => ({
      app,
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/part-of": "gke-platform",
      "app.kubernetes.io/component": "metrics",
    });
    const apiServer = args.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } }));
    const apiServerEgress = { to: apiServer, ports: [{ protocol: "TCP", port: args.apiServerPort }] };
    const podPeer = (app: string) => ({ podSelector: { matchLabels: { app } } });

    const serviceAccount = (app: string, token: boolean) =>
      new k8s.core.v1.ServiceAccount(
        `${name}-${app}`,
        { metadata: { name: app, namespace, labels: labelsOf(app) }, automountServiceAccountToken: token },
        child,
      );
    const clusterRole = (app: string, rules: k8s.types.input.rbac.v1.PolicyRule[]) => {
      const role = new k8s.rbac.v1.ClusterRole(
        `${name}-${app}`,
        { metadata: { name: `gke-platform:${app}`, labels: labelsOf(app) }, rules },
        child,
      );
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-${app}`,
        {
          metadata: { name: `gke-platform:${app}`, labels: labelsOf(app) },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: app, namespace: args.namespace }],
        },
        child,
      );
    };

    /** One Deployment of a single container, restricted like the services, with its Service and NetworkPolicy. */
    const component = (
      app: string,
      spec: {
        image: string;
        args: string[];
        port: number;
        cpu: string;
        cpuLimit: string;
        memory: string;
        memoryLimit: string;
        volumes?: { name: string; mountPath: string; volume: Omit<k8s.types.input.core.v1.Volume, "name"> }[];
        configHash?: string;
        probePath: string;
        probeScheme?: "HTTP" | "HTTPS";
        ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[];
        egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
        token: boolean;
        nodePort?: number;
        servicePort?: number;
      },
    ) => {
      const sa = serviceAccount(app, spec.token);
      const labels = labelsOf(app);
      const volumes = spec.volumes ?? [];
      const probe = {
        httpGet: { path: spec.probePath, port: "http", scheme: spec.probeScheme ?? "HTTP" },
        periodSeconds: 10,
        timeoutSeconds: 3,
      };
      new k8s.apps.v1.Deployment(
        `${name}-${app}`,
        {
          metadata: {
            name: app,
            namespace,
            labels,
            ...(spec.token
              ? {
                  annotations: {
                    "checkov.io/skip1": `CKV_K8S_38=${app} reads the Kubernetes API (service discovery, object state, delegated auth) with its own least-privilege ServiceAccount`,
                  },
                }
              : {}),
          },
          spec: {
            replicas: 1,
            // One writer of its data at a time (the store), and nothing in these is worth a surge pod.
            strategy: { type: "Recreate" },
            selector: { matchLabels: { app } },
            template: {
              metadata: {
                labels,
                ...(spec.configHash
                  ? { annotations: { "platform.gke-platform/config": spec.configHash } }
                  : {}),
              },
              spec: {
                serviceAccountName: sa.metadata.name,
                automountServiceAccountToken: spec.token,
                securityContext: restrictedPodSecurityContext,
                containers: [
                  {
                    name: app,
                    image: spec.image,
                    imagePullPolicy: args.imagePullPolicy,
                    args: spec.args,
                    ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
                    resources: {
                      requests: { cpu: spec.cpu, memory: spec.memory },
                      limits: { cpu: spec.cpuLimit, memory: spec.memoryLimit },
                    },
                    readinessProbe: probe,
                    livenessProbe: { ...probe, failureThreshold: 6 },
                    securityContext: restrictedContainerSecurityContext,
                    volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
                  },
                ],
                volumes: volumes.map((v) => ({ ...v.volume, name: v.name })),
              },
            },
          },
        },
        child,
      );
      new k8s.core.v1.Service(
        `${name}-${app}`,
        {
          metadata: { name: app, namespace, labels },
          spec: {
            type: spec.nodePort ? "NodePort" : "ClusterIP",
            selector: { app },
            ports: [
              {
                name: "http",
                port: spec.servicePort ?? spec.port,
                targetPort: "http",
                protocol: "TCP",
                ...(spec.nodePort ? { nodePort: spec.nodePort } : {}),
              },
            ],
          },
        },
        child,
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${app}`,
        {
          metadata: { name: app, namespace, labels },
          spec: {
            podSelector: { matchLabels: { app } },
            policyTypes: ["Ingress", "Egress"],
            ingress: spec.ingress,
            egress: spec.egress,
          },
        },
        child,
      );
    };
    const outside = args.ingressCidrs.map((cidr) => ({ ipBlock: { cidr } }));

    // --- VictoriaMetrics single-node: scrapes, stores, answers PromQL, serves vmui and its dashboards.
    const serviceNames = args.services.map((s) => s.name);
    const scrape = scrapeConfig(args.servicesNamespace, serviceNames, args.namespace);
    const vmConfig = new k8s.core.v1.ConfigMap(
      `${name}-victoria-metrics`,
      {
        metadata: { name: "victoria-metrics", namespace, labels: labelsOf("victoria-metrics") },
        data: { "scrape.json": scrape },
      },
      child,
    );
    const dashboards = new k8s.core.v1.ConfigMap(
      `${name}-dashboards`,
      {
        metadata: { name: "vmui-dashboards", namespace, labels: labelsOf("victoria-metrics") },
        data: args.dashboards,
      },
      child,
    );
    // Service discovery of the services' pods.
    clusterRole("victoria-metrics", [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    ]);
    component("victoria-metrics", {
      image: args.images.victoriaMetrics,
      args: [
        `-httpListenAddr=:${VM_PORT}`,
        "-storageDataPath=/storage",
        `-retentionPeriod=${args.retention}`,
        "-promscrape.config=/config/scrape.json",
        "-vmui.customDashboardsPath=/dashboards",
        // Every sample arrives by the store's own scrapes, complete when written: the default 30 s offset (for
        // late remote writes) would only delay what the HPAs and alert rules see.
        `-search.latencyOffset=${LATENCY_OFFSET}`,
        // The search caches scale with the container's memory limit; the disk bound is the emptyDir's.
        "-memory.allowedPercent=60",
        "-loggerLevel=WARN",
      ],
      port: VM_PORT,
      cpu: "100m",
      cpuLimit: "1",
      memory: "256Mi",
      memoryLimit: "512Mi",
      probePath: "/health",
      token: true,
      configHash: sha(scrape + JSON.stringify(args.dashboards)),
      volumes: [
        { name: "storage", mountPath: "/storage", volume: { emptyDir: { sizeLimit: args.storageLimit } } },
        { name: "config", mountPath: "/config", volume: { configMap: { name: vmConfig.metadata.name } } },
        {
          name: "dashboards",
          mountPath: "/dashboards",
          volume: { configMap: { name: dashboards.metadata.name } },
        },
      ],
      ingress: [
        {
          from: [podPeer("vmalert"), podPeer("prometheus-adapter"), ...outside],
          ports: [{ protocol: "TCP", port: VM_PORT }],
        },
      ],
      egress: [
        apiServerEgress,
        {
          // The services' metrics ports, in their namespace (their own policies admit exactly this pod).
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.servicesNamespace } },
              podSelector: { matchExpressions: [{ key: "app", operator: "In", values: serviceNames }] },
            },
          ],
          ports: [...new Set(args.services.map((s) => s.metricsPort))].map((port) => ({
            protocol: "TCP",
            port,
          })),
        },
        { to: [podPeer("kube-state-metrics")], ports: [{ protocol: "TCP", port: KSM_PORT }] },
      ],
      nodePort: args.nodePorts.victoriaMetrics || undefined,
    });

    // --- vmalert: the platform's alert rules (the cloud layer's conditions, same PromQL), evaluated in the cluster.
    const rules = new k8s.core.v1.ConfigMap(
      `${name}-vmalert`,
      {
        metadata: { name: "vmalert-rules", namespace, labels: labelsOf("vmalert") },
        data: { "platform.yaml": args.alertRules },
      },
      child,
    );
    component("vmalert", {
      image: args.images.vmalert,
      args: [
        `-httpListenAddr=:${VMALERT_PORT}`,
        "-rule=/rules/*.yaml",
        `-datasource.url=${storeUrl}`,
        // ALERTS and ALERTS_FOR_STATE go back into the store: alerts are queryable there, and survive a restart.
        `-remoteWrite.url=${storeUrl}`,
        `-remoteRead.url=${storeUrl}`,
        // No Alertmanager in the cluster: alerts are read from vmalert's API and the store (docs/local-cluster.md).
        "-notifier.blackhole",
        "-evaluationInterval=15s",
        `-rule.evalDelay=${LATENCY_OFFSET}`,
        "-loggerLevel=WARN",
      ],
      port: VMALERT_PORT,
      cpu: "20m",
      cpuLimit: "500m",
      memory: "64Mi",
      memoryLimit: "128Mi",
      probePath: "/health",
      token: false,
      configHash: sha(args.alertRules),
      volumes: [{ name: "rules", mountPath: "/rules", volume: { configMap: { name: rules.metadata.name } } }],
      ingress:
        outside.length > 0 ? [{ from: outside, ports: [{ protocol: "TCP", port: VMALERT_PORT }] }] : [],
      egress: [{ to: [podPeer("victoria-metrics")], ports: [{ protocol: "TCP", port: VM_PORT }] }],
      nodePort: args.nodePorts.vmalert || undefined,
    });

    // --- kube-state-metrics: the HPAs', Deployments', StatefulSets' and pods' state, of the services' namespace.
    clusterRole("kube-state-metrics", [
      {
        apiGroups: [""],
        resources: ["pods", "namespaces"],
        verbs: ["list", "watch"],
      },
      { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["list", "watch"] },
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["list", "watch"] },
    ]);
    component("kube-state-metrics", {
      image: args.images.kubeStateMetrics,
      args: [
        `--port=${KSM_PORT}`,
        "--telemetry-port=8081",
        "--resources=deployments,horizontalpodautoscalers,pods,statefulsets",
        `--namespaces=${[args.servicesNamespace, ...(args.databaseNamespace ? [args.databaseNamespace] : [])].join(",")}`,
      ],
      port: KSM_PORT,
      cpu: "20m",
      cpuLimit: "500m",
      memory: "64Mi",
      memoryLimit: "128Mi",
      probePath: "/healthz",
      token: true,
      ingress: [{ from: [podPeer("victoria-metrics")], ports: [{ protocol: "TCP", port: KSM_PORT }] }],
      egress: [apiServerEgress],
    });

    // --- prometheus-adapter: `custom.metrics.k8s.io`, the request rate per pod, for the HPA controller.
    const adapterRules = adapterConfig(args.requestRateWindow);
    const adapterCm = new k8s.core.v1.ConfigMap(
      `${name}-prometheus-adapter`,
      {
        metadata: { name: "prometheus-adapter", namespace, labels: labelsOf("prometheus-adapter") },
        data: { "config.json": adapterRules },
      },
      child,
    );
    clusterRole("prometheus-adapter", [
      // Resolves the metric's namespace and pod labels to objects.
      { apiGroups: [""], resources: ["namespaces", "pods", "services"], verbs: ["get", "list", "watch"] },
    ]);
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-prometheus-adapter-auth-delegator`,
      {
        metadata: {
          name: "gke-platform:prometheus-adapter:auth-delegator",
          labels: labelsOf("prometheus-adapter"),
        },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "system:auth-delegator",
        },
        subjects: [{ kind: "ServiceAccount", name: "prometheus-adapter", namespace: args.namespace }],
      },
      child,
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-prometheus-adapter-auth-reader`,
      {
        metadata: {
          name: "gke-platform:prometheus-adapter:auth-reader",
          namespace: "kube-system",
          labels: labelsOf("prometheus-adapter"),
        },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: "extension-apiserver-authentication-reader",
        },
        subjects: [{ kind: "ServiceAccount", name: "prometheus-adapter", namespace: args.namespace }],
      },
      child,
    );
    // The HPA controller reads the metric (as its own service account, or as the controller manager when that does
    // not use per-controller credentials).
    const reader = new k8s.rbac.v1.ClusterRole(
      `${name}-custom-metrics-reader`,
      {
        metadata: {
          name: "gke-platform:custom-metrics-reader",
          labels: labelsOf("prometheus-adapter"),
          annotations: {
            "checkov.io/skip1":
              "CKV_K8S_49=every metric of the custom metrics API, read-only: its resources are the metrics the adapter's rules define",
          },
        },
        rules: [{ apiGroups: ["custom.metrics.k8s.io"], resources: ["*"], verbs: ["get", "list"] }],
      },
      child,
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-custom-metrics-reader`,
      {
        metadata: { name: "gke-platform:custom-metrics-reader", labels: labelsOf("prometheus-adapter") },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: reader.metadata.name },
        subjects: [
          { kind: "ServiceAccount", name: "horizontal-pod-autoscaler", namespace: "kube-system" },
          { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:kube-controller-manager" },
        ],
      },
      child,
    );
    component("prometheus-adapter", {
      image: args.images.prometheusAdapter,
      args: [
        `--secure-port=${ADAPTER_PORT}`,
        "--cert-dir=/tmp/certs",
        `--prometheus-url=${storeUrl}/`,
        "--metrics-relist-interval=30s",
        "--config=/etc/adapter/config.json",
        "--v=1",
      ],
      port: ADAPTER_PORT,
      servicePort: 443,
      cpu: "20m",
      cpuLimit: "500m",
      memory: "64Mi",
      memoryLimit: "256Mi",
      probePath: "/healthz",
      probeScheme: "HTTPS",
      token: true,
      configHash: sha(adapterRules),
      volumes: [
        {
          name: "config",
          mountPath: "/etc/adapter",
          volume: { configMap: { name: adapterCm.metadata.name } },
        },
        { name: "tmp", mountPath: "/tmp", volume: { emptyDir: { sizeLimit: "16Mi" } } },
      ],
      // The aggregation layer: the API server calls the adapter from the control plane's addresses.
      ingress: [{ from: apiServer, ports: [{ protocol: "TCP", port: ADAPTER_PORT }] }],
      egress: [
        apiServerEgress,
        { to: [podPeer("victoria-metrics")], ports: [{ protocol: "TCP", port: VM_PORT }] },
      ],
    });
    // Both versions the HPA controller may ask for (it prefers v1beta2). The adapter's serving certificate is its
    // own self-signed one (no certificate issuer in the cluster): the API server skips verifying it, as upstream's
    // manifests do; the connection stays inside the cluster, and the adapter authenticates its callers.
    for (const version of ["v1beta1", "v1beta2"]) {
      new k8s.apiregistration.v1.APIService(
        `${name}-custom-metrics-${version}`,
        {
          metadata: { name: `${version}.custom.metrics.k8s.io`, labels: labelsOf("prometheus-adapter") },
          spec: {
            group: "custom.metrics.k8s.io",
            version,
            service: { name: "prometheus-adapter", namespace: args.namespace, port: 443 },
            insecureSkipTLSVerify: true,
            groupPriorityMinimum: 100,
            versionPriority: version === "v1beta2" ? 200 : 100,
          },
        },
        child,
      );
    }
    this.registerOutputs({ storeUrl: this.storeUrl });
  }
}
