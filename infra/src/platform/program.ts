/**
 * The whole platform, wired from typed configuration. `index.ts` calls this with the stack's config; the render
 * script and the tests call it under Pulumi's mocks.
 */
import { createHash } from "node:crypto";

import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

import { MongoBackup } from "./components/backup.js";
import { Cluster } from "./components/cluster.js";
import { Gateway } from "./components/gateway.js";
import { MongoDb, MONGODB_PORT } from "./components/mongodb.js";
import { Monitoring } from "./components/monitoring.js";
import { PlatformNamespace } from "./components/namespace.js";
import { Network } from "./components/network.js";
import { Registry } from "./components/registry.js";
import { GCLB_SOURCE_RANGES, Workload } from "./components/workload.js";
import type { AppConfig, PlatformConfig } from "./config.js";

/** Ports and database names from the services' runtime contract. */
export const APPS = {
  a: { name: "app-a", port: 3000, metricsPort: 9464, db: "jobs" },
  b: { name: "app-b", port: 3001, metricsPort: 9465, db: "auth" },
} as const;
/** The app's own shutdown bounds (SHUTDOWN_DRAIN_DELAY_MS, SHUTDOWN_TIMEOUT_MS). */
const DRAIN_DELAY_MS = 5000;
const SHUTDOWN_TIMEOUT_MS = 25000;
const MONGODB_NAME = "mongodb";

/** What the stack exports. Secrets stay wrapped in `pulumi.secret`. */
export interface PlatformOutputs {
  gatewayIp: pulumi.Output<string>;
  gatewayUrl: string;
  kubeconfig: pulumi.Output<string>;
  registryUrl: pulumi.Output<string>;
  /** Deployed image per app, keyed like the config (`appA`, `appB`): the delivery scripts compare against it. */
  images: pulumi.Output<{ appA: string; appB: string }>;
  clusterName: pulumi.Output<string>;
  namespace: pulumi.Output<string>;
  mongodb: pulumi.Output<{ host: string; replicaSet: string; connectionSecrets: Record<string, string> }>;
  backupBucket: pulumi.Output<string>;
}

/** A full reference stays as it is; a bare digest or tag points into the stack's own repository. */
export function imageReference(registryUrl: string, name: string, ref: string): string {
  if (ref.includes("/")) return ref;
  return ref.startsWith("sha256:") ? `${registryUrl}/${name}@${ref}` : `${registryUrl}/${name}:${ref}`;
}

/** Creates every resource of the platform. */
export function createPlatform(cfg: PlatformConfig): PlatformOutputs {
  const location = cfg.regionalCluster ? cfg.region : cfg.zone;
  // An explicit provider from typed config: no resource silently lands in whatever project gcloud points at.
  const gcpProvider = new gcp.Provider("gcp", {
    project: cfg.project,
    region: cfg.region,
    defaultLabels: { "managed-by": "pulumi", platform: cfg.namePrefix },
  });
  const gcpOpts: pulumi.ComponentResourceOptions = { providers: { gcp: gcpProvider } };
  const network = new Network(
    cfg.namePrefix,
    {
      region: cfg.region,
      subnetCidr: cfg.subnetCidr,
      podsCidr: cfg.podsCidr,
      servicesCidr: cfg.servicesCidr,
    },
    gcpOpts,
  );
  const cluster = new Cluster(
    cfg.namePrefix,
    {
      project: cfg.project,
      location,
      network: network.network.id,
      subnetwork: network.subnet.id,
      podsRangeName: network.podsRangeName,
      servicesRangeName: network.servicesRangeName,
      masterCidr: cfg.masterCidr,
      authorizedNetworks: cfg.authorizedNetworks,
      dnsEndpoint: cfg.dnsEndpoint,
      releaseChannel: cfg.releaseChannel,
      deletionProtection: cfg.deletionProtection,
      machineType: cfg.nodeMachineType,
      minNodes: cfg.nodeMinCount,
      maxNodes: cfg.nodeMaxCount,
      diskSizeGb: cfg.nodeDiskSizeGb,
      spot: cfg.nodeSpot,
    },
    gcpOpts,
  );
  const registry = new Registry(
    `${cfg.namePrefix}-images`,
    {
      project: cfg.project,
      region: cfg.region,
      repositoryId: "platform",
      readers: [cluster.nodeServiceAccount.email],
    },
    gcpOpts,
  );

  // Every Kubernetes object goes through the cluster's own provider (never an ambient kubeconfig).
  const k8sOpts: pulumi.ComponentResourceOptions = {
    providers: { gcp: gcpProvider, kubernetes: cluster.provider },
  };
  const ns = new PlatformNamespace("platform-namespace", { name: cfg.namespace }, k8sOpts);
  const apiServerCidrs = [
    pulumi.output(cfg.masterCidr),
    cluster.privateEndpoint.apply((ip) => (ip ? `${ip}/32` : cfg.masterCidr)),
  ];

  const backupUser = "mongodb-backup";
  const mongo = new MongoDb(
    MONGODB_NAME,
    {
      namespace: ns.name,
      chartVersion: cfg.mongodbOperatorChartVersion,
      members: cfg.mongodbMembers,
      version: cfg.mongodbVersion,
      users: [
        { name: APPS.a.name, roles: [{ name: "readWrite", db: APPS.a.db }] },
        { name: APPS.b.name, roles: [{ name: "readWrite", db: APPS.b.db }] },
        { name: backupUser, roles: [{ name: "backup", db: "admin" }] },
      ],
      storageSize: cfg.mongodbStorageSize,
      storageClass: cfg.mongodbStorageClass,
      cpuRequest: cfg.mongodbCpuRequest,
      memoryRequest: cfg.mongodbMemoryRequest,
      memoryLimit: cfg.mongodbMemoryLimit,
      zoneAntiAffinity: cfg.regionalCluster ? "required" : "preferred",
      apiServerCidrs,
    },
    k8sOpts,
  );

  const jwtKey = new tls.PrivateKey("jwt-signing-key", { algorithm: "ED25519" });
  const jwtKid = jwtKey.publicKeyPem.apply((pem) =>
    createHash("sha256").update(pem).digest("base64url").slice(0, 16),
  );
  const jwtSecret = new k8s.core.v1.Secret(
    "app-b-jwt",
    {
      metadata: { name: "app-b-jwt", namespace: ns.name },
      type: "Opaque",
      stringData: {
        JWT_SIGNING_KEYS: pulumi
          .all([jwtKid, jwtKey.privateKeyPemPkcs8])
          .apply(([kid, privateKeyPem]) => JSON.stringify([{ kid, privateKeyPem }])),
      },
    },
    { provider: cluster.provider },
  );

  const issuer = `https://${cfg.domain}`;
  const shared = (app: (typeof APPS)[keyof typeof APPS], c: AppConfig) => ({
    namespace: ns.name,
    image: registry.url.apply((url) => imageReference(url, app.name, c.image)),
    port: app.port,
    metricsPort: app.metricsPort,
    resources: c,
    preStopSleepSeconds: cfg.preStopSleepSeconds,
    shutdownTimeoutSeconds: SHUTDOWN_TIMEOUT_MS / 1000,
    zoneSpread: cfg.regionalCluster ? ("DoNotSchedule" as const) : ("ScheduleAnyway" as const),
    ingressFromCidrs: GCLB_SOURCE_RANGES,
  });
  const commonEnv = (app: (typeof APPS)[keyof typeof APPS], c: AppConfig) => ({
    NODE_ENV: "production",
    HOST: "0.0.0.0",
    PORT: String(app.port),
    METRICS_PORT: String(app.metricsPort),
    LOG_LEVEL: c.logLevel,
    MONGODB_DB: app.db,
    SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: cfg.jwtAudience,
    // The global external ALB appends "<client>, <load balancer IP>" to X-Forwarded-For: trust two hops.
    TRUST_PROXY: "2",
  });
  const mongoUri = (user: string) => ({
    secretName: mongo.connectionSecretName(user),
    key: "connectionString.standard",
  });
  const toMongo = { app: mongo.podApp, port: MONGODB_PORT };

  const appB = new Workload(
    APPS.b.name,
    {
      ...shared(APPS.b, cfg.appB),
      env: commonEnv(APPS.b, cfg.appB),
      secretEnv: {
        MONGODB_URI: mongoUri(APPS.b.name),
        JWT_SIGNING_KEYS: { secretName: jwtSecret.metadata.name, key: "JWT_SIGNING_KEYS" },
      },
      autoscaling: {
        minReplicas: cfg.appB.minReplicas,
        maxReplicas: cfg.appB.maxReplicas,
        cpuTargetPercent: cfg.appB.cpuTargetPercent,
      },
      ingressFromApps: [APPS.a.name],
      egressTo: [toMongo],
    },
    { ...k8sOpts, dependsOn: [mongo] },
  );
  const appA = new Workload(
    APPS.a.name,
    {
      ...shared(APPS.a, cfg.appA),
      env: {
        ...commonEnv(APPS.a, cfg.appA),
        JWKS_URL: pulumi.interpolate`${appB.internalUrl}/.well-known/jwks.json`,
      },
      secretEnv: { MONGODB_URI: mongoUri(APPS.a.name) },
      autoscaling: {
        minReplicas: cfg.appA.minReplicas,
        maxReplicas: cfg.appA.maxReplicas,
        cpuTargetPercent: cfg.appA.cpuTargetPercent,
        maxRatePerEndpoint: cfg.appA.maxRatePerEndpoint,
        traffic: { serviceName: APPS.a.name, capacityTargetPercent: cfg.appA.capacityTargetPercent },
      },
      ingressFromApps: [],
      egressTo: [{ app: APPS.b.name, port: APPS.b.port }, toMongo],
    },
    { ...k8sOpts, dependsOn: [mongo] },
  );

  const gateway = new Gateway(
    "platform-gateway",
    {
      namespace: ns.name,
      domain: cfg.domain,
      dnsZone: cfg.dnsZone || undefined,
      auth: { service: appB.service.metadata.name, port: APPS.b.port },
      api: { service: appA.service.metadata.name, port: APPS.a.port },
      cloudArmorRequestsPerMinute: cfg.cloudArmor ? cfg.cloudArmorRequestsPerMinute : undefined,
      // Longer than preStop sleep, so the load balancer has drained a pod before its process is told to stop.
      drainingTimeoutSec: cfg.preStopSleepSeconds,
    },
    k8sOpts,
  );

  const backup = new MongoBackup(
    "mongodb-backup",
    {
      project: cfg.project,
      region: cfg.region,
      namespace: ns.name,
      connectionSecretName: mongo.connectionSecretName(backupUser),
      mongoPodApp: mongo.podApp,
      schedule: cfg.backupSchedule,
      retentionDays: cfg.backupRetentionDays,
      toolsImage: cfg.backupToolsImage,
      uploaderImage: cfg.backupUploaderImage,
    },
    { ...k8sOpts, dependsOn: [mongo] },
  );
  new Monitoring(
    "platform-monitoring",
    {
      namespace: cfg.namespace,
      mongoStatefulSet: MONGODB_NAME,
      alertEmail: cfg.alertEmail || undefined,
    },
    gcpOpts,
  );

  return {
    gatewayIp: gateway.address.address,
    gatewayUrl: gateway.url,
    kubeconfig: cluster.kubeconfig,
    registryUrl: registry.url,
    images: pulumi.all([appA.deployment.spec, appB.deployment.spec]).apply(([a, b]) => ({
      appA: a.template.spec.containers[0]?.image ?? "",
      appB: b.template.spec.containers[0]?.image ?? "",
    })),
    clusterName: cluster.cluster.name,
    namespace: ns.name,
    mongodb: pulumi.secret(
      mongo.host.apply((host) => ({
        host,
        replicaSet: MONGODB_NAME,
        connectionSecrets: Object.fromEntries(
          [APPS.a.name, APPS.b.name, backupUser].map((u) => [u, mongo.connectionSecretName(u)]),
        ),
      })),
    ),
    backupBucket: backup.bucket.name,
  };
}
