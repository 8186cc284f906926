import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Helm chart of the MongoDB Controllers for Kubernetes (operator for MongoDBCommunity and more). */
export const OPERATOR_CHART = {
  name: "mongodb-kubernetes",
  repo: "https://mongodb.github.io/helm-charts",
} as const;
/** `operator.name` in the chart values: names the operator's Deployment and its pods' `app.kubernetes.io/name`. */
export const OPERATOR_NAME = "mongodb-kubernetes-operator";
/** Port mongod listens on. */
export const MONGODB_PORT = 27017;
/** Port of the operator's validating webhook server (chart default). */
const OPERATOR_WEBHOOK_PORT = 1993;

/** A database user the operator creates; one per client, least privilege. */
export interface MongoUser {
  /** User name; also the `app` label of the pods allowed to connect with it. */
  name: string;
  roles: { name: string; db: string }[];
}

/** Arguments for {@link MongoDb}. */
export interface MongoDbArgs {
  namespace: pulumi.Input<string>;
  chartVersion: string;
  members: number;
  /** mongod version, pinned 8.0.x. */
  version: string;
  users: readonly MongoUser[];
  storageSize: string;
  storageClass: string;
  cpuRequest: string;
  memoryRequest: string;
  memoryLimit: string;
  /** `required` puts each member in a different zone (regional clusters); `preferred` only tries to. */
  zoneAntiAffinity: "required" | "preferred";
  /** Where the API server is reachable from pods (operator, and the agents' readiness probe annotate pods). */
  apiServerCidrs: pulumi.Input<string>[];
}

/**
 * The operator (Helm release, pinned chart) and a MongoDBCommunity replica set with SCRAM users whose passwords
 * Pulumi generates. The operator writes, per user, a Secret `<name>-<authDb>-<user>` holding
 * `connectionString.standard`; {@link connectionSecretName} tells clients which one is theirs.
 */
export class MongoDb extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly resource: k8s.apiextensions.CustomResource;
  /** `app` label the operator gives the replica set's pods (`<name>-svc`). */
  readonly podApp: string;
  /** Headless Service through which members are reached. */
  readonly host: pulumi.Output<string>;
  private readonly mdbName: string;

  constructor(name: string, args: MongoDbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:MongoDb", name, {}, opts);
    if (!/^8\.0\.\d+$/.test(args.version))
      throw new pulumi.ResourceError(`version "${args.version}" is not 8.0.x`, this);
    if (args.members < 1 || args.members % 2 === 0) {
      throw new pulumi.ResourceError(`members must be an odd number >= 1, got ${args.members}`, this);
    }
    const names = args.users.map((u) => u.name);
    if (new Set(names).size !== names.length)
      throw new pulumi.ResourceError("user names must be unique", this);
    this.mdbName = name;
    this.podApp = `${name}-svc`;
    const child = { parent: this };

    this.release = new k8s.helm.v3.Release(
      `${name}-operator`,
      {
        name: OPERATOR_CHART.name,
        chart: OPERATOR_CHART.name,
        version: args.chartVersion,
        repositoryOpts: { repo: OPERATOR_CHART.repo },
        namespace: args.namespace,
        values: operatorValues(),
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
      },
      child,
    );

    const users = args.users.map((user) => {
      const password = new random.RandomPassword(
        `${name}-${user.name}-password`,
        // Alphanumeric only: the password lands in a URI and URI-escaping bugs are not worth 6 bits per char.
        { length: 40, special: false },
        child,
      );
      const secret = new k8s.core.v1.Secret(
        `${name}-${user.name}-password`,
        {
          metadata: { name: `${name}-${user.name}-password`, namespace: args.namespace },
          type: "Opaque",
          stringData: { password: password.result },
        },
        child,
      );
      return {
        name: user.name,
        db: "admin",
        passwordSecretRef: { name: secret.metadata.name, key: "password" },
        roles: user.roles,
        scramCredentialsSecretName: `${name}-${user.name}`,
      };
    });

    const podLabels = { matchLabels: { app: this.podApp } };
    const zoneTerm = { labelSelector: podLabels, topologyKey: "topology.kubernetes.io/zone" };
    this.resource = new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "mongodbcommunity.mongodb.com/v1",
        kind: "MongoDBCommunity",
        metadata: { name, namespace: args.namespace },
        spec: {
          type: "ReplicaSet",
          members: args.members,
          version: args.version,
          security: { authentication: { modes: ["SCRAM"], ignoreUnknownUsers: true } },
          users,
          additionalMongodConfig: { "storage.wiredTiger.engineConfig.journalCompressor": "zlib" },
          statefulSet: {
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: "mongod",
                      resources: {
                        requests: { cpu: args.cpuRequest, memory: args.memoryRequest },
                        limits: { memory: args.memoryLimit },
                      },
                    },
                    {
                      name: "mongodb-agent",
                      resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "500Mi" } },
                    },
                  ],
                  affinity: {
                    podAntiAffinity:
                      args.zoneAntiAffinity === "required"
                        ? { requiredDuringSchedulingIgnoredDuringExecution: [zoneTerm] }
                        : {
                            preferredDuringSchedulingIgnoredDuringExecution: [
                              { weight: 100, podAffinityTerm: zoneTerm },
                            ],
                          },
                  },
                },
              },
              volumeClaimTemplates: [
                pvc("data-volume", args.storageClass, args.storageSize),
                pvc("logs-volume", args.storageClass, "2Gi"),
              ],
            },
          },
        },
      },
      { ...child, dependsOn: [this.release] },
    );

    new k8s.policy.v1.PodDisruptionBudget(
      name,
      { metadata: { name, namespace: args.namespace }, spec: { maxUnavailable: 1, selector: podLabels } },
      child,
    );

    const fromApps = [...names, this.podApp].map((app) => ({ podSelector: { matchLabels: { app } } }));
    const operatorPods = { podSelector: { matchLabels: { "app.kubernetes.io/name": OPERATOR_NAME } } };
    const toApiServer = {
      to: args.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ports: [{ protocol: "TCP", port: 443 }],
    };
    new k8s.networking.v1.NetworkPolicy(
      `${name}-members`,
      {
        metadata: { name, namespace: args.namespace },
        spec: {
          podSelector: podLabels,
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [...fromApps, operatorPods], ports: [{ protocol: "TCP", port: MONGODB_PORT }] }],
          egress: [
            // Replication between members.
            { to: [{ podSelector: podLabels }], ports: [{ protocol: "TCP", port: MONGODB_PORT }] },
            // The agent's readiness probe records its state on the Pod through the API server.
            toApiServer,
          ],
        },
      },
      child,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-operator`,
      {
        metadata: { name: `${name}-operator`, namespace: args.namespace },
        spec: {
          podSelector: operatorPods.podSelector,
          policyTypes: ["Ingress", "Egress"],
          ingress: [
            {
              from: args.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })),
              ports: [{ protocol: "TCP", port: OPERATOR_WEBHOOK_PORT }],
            },
          ],
          egress: [
            toApiServer,
            { to: [{ podSelector: podLabels }], ports: [{ protocol: "TCP", port: MONGODB_PORT }] },
          ],
        },
      },
      child,
    );

    this.host = pulumi.interpolate`${this.podApp}.${args.namespace}.svc.cluster.local`;
    this.registerOutputs({ host: this.host });
  }

  /** Name of the Secret the operator writes for `user` (key `connectionString.standard`). */
  connectionSecretName(user: string): string {
    return `${this.mdbName}-admin-${user}`;
  }
}

function pvc(name: string, storageClassName: string, storage: string): Record<string, unknown> {
  return {
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage } } },
  };
}

/** Chart values: only the MongoDBCommunity controller, hardened, no cluster-wide roles we do not use. */
export function operatorValues(): Record<string, unknown> {
  return {
    operator: {
      name: OPERATOR_NAME,
      watchedResources: ["mongodbcommunity"],
      enableClusterMongoDBRoles: false,
      replicas: 1,
      resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      podSecurityContext: { runAsNonRoot: true, runAsUser: 2000, seccompProfile: { type: "RuntimeDefault" } },
      // The chart's container securityContext (no privilege escalation, all capabilities dropped) is kept: the
      // operator writes its webhook certificate to its filesystem, so a read-only root is not an option.
    },
    registry: { pullPolicy: "IfNotPresent" },
  };
}
