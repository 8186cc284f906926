/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { beforeAll, describe, expect, it } from "vitest";

import type { CloudOutputs } from "../src/cloud/program.js";
import { GCLB_CAPACITY_METRIC } from "../src/platform/components/autoscaling.js";
import {
  networkPolicyEdges,
  runCloudForTest,
  runForTest,
  type Run,
  type StackRun,
} from "./support/platform.js";
import { STACKS } from "./support/rendered.js";

const runs: Partial<Record<(typeof STACKS)[number], StackRun>> = {};
const clouds: Partial<Record<(typeof STACKS)[number], Run<CloudOutputs>>> = {};
beforeAll(async () => {
  for (const stack of STACKS) {
    runs[stack] = await runForTest(stack);
    clouds[stack] = await runCloudForTest(stack);
  }
});

const expected = {
  dev: { appA: [1, 3], appB: [1, 3], members: 1 },
  prod: { appA: [3, 220], appB: [3, 25], members: 3 },
} as const;

describe.each(STACKS)("%s stack: workloads", (stack) => {
  const run = () => runs[stack]!;
  const deployment = (name: string) => run().object("Deployment", name);
  const container = (name: string) => deployment(name).spec.template.spec.containers[0];
  const env = (name: string) =>
    Object.fromEntries(
      (container(name).env as { name: string; value?: string; valueFrom?: unknown }[]).map((e) => [
        e.name,
        e.value ?? e.valueFrom,
      ]),
    );

  it("when app-a's HPA is rendered, then it scales on GCLB capacity fullness and CPU within config bounds", () => {
    const hpa = run().object("HorizontalPodAutoscaler", "app-a").spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual(expected[stack].appA);
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "app-a" });
    expect(hpa.metrics).toEqual([
      {
        type: "Object",
        object: {
          describedObject: { apiVersion: "v1", kind: "Service", name: "app-a" },
          metric: { name: GCLB_CAPACITY_METRIC },
          target: { type: "AverageValue", averageValue: "70" },
        },
      },
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
    ]);
    expect(GCLB_CAPACITY_METRIC).toBe("autoscaling.googleapis.com|gclb-capacity-fullness");
    expect(run().object("Service", "app-a").metadata.annotations).toEqual({
      "networking.gke.io/max-rate-per-endpoint": "110",
    });
  });

  it("when the rate per endpoint is set, then the Service annotation and app-a's GCPBackendPolicy carry the same one value", async () => {
    const read = (r: StackRun) => ({
      annotation: Number(
        r.object("Service", "app-a").metadata.annotations!["networking.gke.io/max-rate-per-endpoint"],
      ),
      policy: r.object("GCPBackendPolicy", "app-a-backend").spec.default.maxRatePerEndpoint,
    });
    expect(read(run())).toEqual({ annotation: 110, policy: 110 });
    const tuned = await runForTest(stack, { "gke-platform:appAMaxRatePerEndpoint": "200" });
    expect(read(tuned)).toEqual({ annotation: 200, policy: 200 });
  });

  it("when app-b's HPA is rendered, then it scales on CPU only, and its Service carries no traffic annotation", () => {
    const hpa = run().object("HorizontalPodAutoscaler", "app-b").spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual(expected[stack].appB);
    expect(hpa.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
    ]);
    expect(run().object("Service", "app-b").metadata.annotations ?? {}).toEqual({});
  });

  it.each(["app-a", "app-b"])(
    "when %s's HPA is rendered, then scale-up is immediate and scale-down stabilised",
    (app) => {
      const { behavior } = run().object("HorizontalPodAutoscaler", app).spec;
      expect(behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
      expect(behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
      expect(behavior.scaleDown.policies).toEqual([{ type: "Percent", value: 25, periodSeconds: 60 }]);
    },
  );

  it.each([
    ["app-a", 3000, 9464],
    ["app-b", 3001, 9465],
  ] as const)(
    "when %s is deployed, then probes hit /healthz and /readyz on the app port, metrics on their own port",
    (app, port, metrics) => {
      const c = container(app);
      expect(c.ports).toEqual([
        { name: "http", containerPort: port, protocol: "TCP" },
        { name: "metrics", containerPort: metrics, protocol: "TCP" },
      ]);
      expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
      expect(c.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(env(app)).toMatchObject({
        PORT: String(port),
        METRICS_PORT: String(metrics),
        NODE_ENV: "production",
        // GKE's global external ALB appends the client and itself to X-Forwarded-For.
        TRUST_PROXY: "2",
      });
      const monitor = run().object("PodMonitoring", app).spec;
      expect(monitor).toEqual({
        selector: { matchLabels: { app } },
        endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
      });
      expect(run().object("Service", app).spec.ports).toEqual([
        { name: "http", port, targetPort: "http", protocol: "TCP" },
      ]);
    },
  );

  it.each(["app-a", "app-b"])(
    "when %s runs on the operator's MongoDB, then the FerretDB workarounds are off",
    (app) => {
      expect(env(app).FERRETDB_WORKAROUNDS).toBe("false");
    },
  );

  it.each(["app-a", "app-b"])(
    "when %s is deployed, then it runs non-root, read-only, without capabilities",
    (app) => {
      const pod = deployment(app).spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container(app).securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(container(app).volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
      expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
      expect(Object.keys(container(app).resources.requests).sort()).toEqual(["cpu", "memory"]);
      expect(Object.keys(container(app).resources.limits).sort()).toEqual(["cpu", "memory"]);
    },
  );

  it.each(["app-a", "app-b"])(
    "when %s rolls out, then no serving pod is removed early and shutdown fits in the grace period",
    (app) => {
      const spec = deployment(app).spec;
      expect(spec.strategy).toEqual({
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
      });
      const preStop = container(app).lifecycle.preStop.sleep.seconds as number;
      expect(preStop).toBe(15);
      const timeoutSeconds = Number(env(app).SHUTDOWN_TIMEOUT_MS) / 1000;
      expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + timeoutSeconds);
      expect(Number(env(app).SHUTDOWN_DRAIN_DELAY_MS)).toBe(5000);
      // `pulumi up` fails a rollout that is not done in the provider's default 10 minutes.
      expect(deployment(app).metadata.annotations?.["pulumi.com/timeoutSeconds"]).toBe("600");
      const zone = spec.template.spec.topologySpreadConstraints[0];
      expect(zone.topologyKey).toBe("topology.kubernetes.io/zone");
      expect(zone.whenUnsatisfiable).toBe(stack === "prod" ? "DoNotSchedule" : "ScheduleAnyway");
    },
  );

  it("when the services get their configuration, then secrets come from Secrets and app-a finds app-b's JWKS", () => {
    expect(env("app-a").MONGODB_URI).toEqual({
      secretKeyRef: { name: "app-a-mongodb", key: "connectionString.standard" },
    });
    expect(env("app-b").MONGODB_URI).toEqual({
      secretKeyRef: { name: "app-b-mongodb", key: "connectionString.standard" },
    });
    expect(env("app-b").JWT_SIGNING_KEYS).toEqual({
      secretKeyRef: { name: "app-b-jwt", key: "JWT_SIGNING_KEYS" },
    });
    expect(env("app-a").JWKS_URL).toBe("http://app-b.platform.svc.cluster.local:3001/.well-known/jwks.json");
    expect(env("app-a").MONGODB_DB).toBe("jobs");
    expect(env("app-b").MONGODB_DB).toBe("auth");
    const issuer = stack === "prod" ? "https://api.example.com" : "https://api.dev.example.com";
    expect(env("app-a").JWT_ISSUER).toBe(issuer);
    expect(env("app-b").JWT_ISSUER).toBe(issuer);
  });

  it("when PodDisruptionBudgets are rendered, then both apps and MongoDB allow at most one voluntary disruption", () => {
    for (const name of ["app-a", "app-b", "mongodb"]) {
      expect(run().object("PodDisruptionBudget", name).spec.maxUnavailable, name).toBe(1);
    }
  });

  it("when NetworkPolicies are rendered, then the allowed flows are exactly the designed graph", () => {
    const gclb = ["35.191.0.0/16", "130.211.0.0/22"];
    const api = ["172.16.0.0/28", "172.16.0.2/32"];
    const operator = "app.kubernetes.io/name=mongodb-kubernetes-operator";
    const members = "ns:mongodb/app=mongodb-svc";
    expect(networkPolicyEdges(run().objects)).toEqual(
      [
        // Both namespaces (the services', MongoDB's) resolve names through kube-dns.
        ...["UDP/53", "TCP/53"].flatMap((port) =>
          Array(2).fill(`* -> ns:kube-system/k8s-app=kube-dns ${port}`),
        ),
        ...gclb.map((c) => `app=app-a <- ${c} TCP/3000`),
        "app=app-a <- ns:gmp-system TCP/9464",
        "app=app-a -> app=app-b TCP/3001",
        `app=app-a -> ${members} TCP/27017`,
        ...gclb.map((c) => `app=app-b <- ${c} TCP/3001`),
        "app=app-b <- app=app-a TCP/3001",
        "app=app-b <- ns:gmp-system TCP/9465",
        `app=app-b -> ${members} TCP/27017`,
        // The replica set admits exactly its clients, in the services' namespace, and its own members.
        ...["app-a", "app-b", "mongodb-backup"].map(
          (a) => `app=mongodb-svc <- ns:platform/app=${a} TCP/27017`,
        ),
        "app=mongodb-svc <- app=mongodb-svc TCP/27017",
        `app=mongodb-svc <- ${operator} TCP/27017`,
        "app=mongodb-svc -> app=mongodb-svc TCP/27017",
        ...api.map((c) => `app=mongodb-svc -> ${c} TCP/443`),
        ...api.map((c) => `${operator} <- ${c} TCP/1993`),
        ...api.map((c) => `${operator} -> ${c} TCP/443`),
        `${operator} -> app=mongodb-svc TCP/27017`,
        `app=mongodb-backup -> ${members} TCP/27017`,
        "app=mongodb-backup -> 169.254.169.254/32 TCP/80",
        "app=mongodb-backup -> 169.254.169.252/32 TCP/988",
        "app=mongodb-backup -> 199.36.153.8/30 TCP/443",
        "app=mongodb-backup -> 199.36.153.4/30 TCP/443",
      ].sort(),
    );
    const deny = run().object("NetworkPolicy", "default-deny").spec;
    expect(deny).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const mongoSide = ["mongodb", "mongodb-operator"];
    for (const p of run().objects.filter((o) => o.kind === "NetworkPolicy")) {
      if (mongoSide.includes(p.metadata.name)) expect(p.metadata.namespace, p.metadata.name).toBe("mongodb");
    }
    for (const ns of ["platform", "mongodb"]) {
      const inNs = run().objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === ns);
      expect(inNs.map((p) => p.metadata.name).sort(), ns).toEqual(
        ns === "mongodb"
          ? ["allow-dns-egress", "default-deny", ...mongoSide]
          : expect.arrayContaining(["allow-dns-egress", "default-deny", "app-a", "app-b", "mongodb-backup"]),
      );
    }
  });
});

describe.each(STACKS)("%s stack: MongoDB", (stack) => {
  const run = () => runs[stack]!;

  it("when the replica set is declared, then it has the configured members, pinned 8.0, SCRAM and least-privilege users", () => {
    const mdb = run().object("MongoDBCommunity", "mongodb").spec;
    expect(mdb.members).toBe(expected[stack].members);
    expect(mdb.type).toBe("ReplicaSet");
    expect(mdb.version).toBe("8.0.12");
    expect(mdb.security.authentication.modes).toEqual(["SCRAM"]);
    expect(
      mdb.users.map((u: any) => ({ name: u.name, db: u.db, roles: u.roles, secret: u.passwordSecretRef })),
    ).toEqual([
      {
        name: "app-a",
        db: "admin",
        roles: [{ name: "readWrite", db: "jobs" }],
        secret: { name: "mongodb-app-a-password", key: "password" },
      },
      {
        name: "app-b",
        db: "admin",
        roles: [{ name: "readWrite", db: "auth" }],
        secret: { name: "mongodb-app-b-password", key: "password" },
      },
      {
        name: "mongodb-backup",
        db: "admin",
        roles: [{ name: "backup", db: "admin" }],
        secret: { name: "mongodb-mongodb-backup-password", key: "password" },
      },
    ]);
  });

  it("when the replica set is declared, then members are spread over zones on persistent volumes", () => {
    const sts = run().object("MongoDBCommunity", "mongodb").spec.statefulSet.spec;
    const anti = sts.template.spec.affinity.podAntiAffinity;
    if (stack === "prod") {
      expect(anti.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
        "topology.kubernetes.io/zone",
      );
    } else {
      expect(anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
        "topology.kubernetes.io/zone",
      );
    }
    const data = sts.volumeClaimTemplates.find((v: any) => v.metadata.name === "data-volume");
    expect(data.spec.storageClassName).toBe(stack === "prod" ? "premium-rwo" : "standard-rwo");
    expect(data.spec.resources.requests.storage).toBe(stack === "prod" ? "50Gi" : "10Gi");
    expect(sts.template.spec.containers.find((c: any) => c.name === "mongod").resources.limits.memory).toBe(
      stack === "prod" ? "4Gi" : "1Gi",
    );
  });

  it("when the operator is installed, then it comes from the pinned mongodb-kubernetes chart and only watches MongoDBCommunity", () => {
    const release = run().one("kubernetes:helm.sh/v3:Release", "mongodb-operator");
    expect(release).toMatchObject({
      chart: "mongodb-kubernetes",
      version: "1.10.1",
      repositoryOpts: { repo: "https://mongodb.github.io/helm-charts" },
      namespace: "mongodb",
    });
    expect(release.values.operator.watchedResources).toEqual(["mongodbcommunity"]);
    // One watched namespace, its own: the chart's roles stay Roles there (two would make them ClusterRoles).
    expect(release.values.operator.watchNamespace).toBe("mongodb");
  });

  it("when users get passwords, then they are the cloud stack's generated ones and only reach Kubernetes Secrets, marked secret", async () => {
    const expected = await new Promise<string>((r) =>
      clouds[stack]!.outputs.mongodbPasswords.apply((p) => {
        r(p["app-a"]!);
      }),
    );
    expect(run().one("kubernetes:core/v1:Secret", "mongodb-app-a-password").stringData.password).toBe(
      expected,
    );
    const raw = run().raw.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.name === "mongodb-app-a-password",
    )!;
    expect(JSON.stringify(raw.inputs.stringData)).toContain("1b47061264138c4ac30d75fd1eb44270"); // Pulumi's secret marker
  });

  it("when backups are scheduled, then mongodump runs as the backup user and uploads via Workload Identity to an expiring bucket", () => {
    const bucket = clouds[stack]!.one("gcp:storage/bucket:Bucket", "mongodb-backup-bucket");
    expect(bucket.publicAccessPrevention).toBe("enforced");
    expect(bucket.uniformBucketLevelAccess).toBe(true);
    expect(bucket.lifecycleRules).toEqual([
      { action: { type: "Delete" }, condition: { age: stack === "prod" ? 30 : 7 } },
    ]);
    const job = run().object("CronJob", "mongodb-backup").spec;
    expect(job.concurrencyPolicy).toBe("Forbid");
    const pod = job.jobTemplate.spec.template.spec;
    expect(pod.initContainers[0].env[0].valueFrom.secretKeyRef).toEqual({
      name: "mongodb-backup-mongodb",
      key: "connectionString.standard",
    });
    expect(pod.initContainers[0].command.at(-1)).toContain("exec mongodump ");
    expect(pod.containers[0].env.find((e: any) => e.name === "BUCKET").value).toBe("mongodb-backup-bucket");
    const sa = run().object("ServiceAccount", "mongodb-backup");
    expect(sa.metadata.annotations!["iam.gke.io/gcp-service-account"]).toBe(
      `gke-${stack}-backup@my-platform-${stack}.iam.gserviceaccount.com`,
    );
    const wi = clouds[stack]!.one(
      "gcp:serviceaccount/iAMMember:IAMMember",
      "mongodb-backup-workload-identity",
    );
    expect(wi.member).toBe(`serviceAccount:my-platform-${stack}.svc.id.goog[platform/mongodb-backup]`);
  });
});
