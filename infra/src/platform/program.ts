/**
 * The platform layer (Pulumi project `gke-platform`): every Kubernetes object of the platform, on any cluster the
 * kubeconfig points at. `@pulumi/kubernetes` is its only provider. `index.ts` calls this with the stack's config
 * and the resolved cluster inputs; the render script and the tests call it under Pulumi's mocks.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { APPS, BACKUP_KSA, MONGODB_NAME, MONGODB_USERS } from "../shared/contract.js";
import { MongoBackup } from "./components/backup.js";
import { Gateway, type GatewayTls } from "./components/gateway.js";
import { MongoDb, MONGODB_PORT } from "./components/mongodb.js";
import { PlatformNamespace } from "./components/namespace.js";
import { Workload, type Peer, type SecretKeyRef } from "./components/workload.js";
import { zoneAntiAffinity, type ClusterInputs } from "./cluster-inputs.js";
import { isGkeGatewayClass, type AppConfig, type PlatformConfig } from "./config.js";

/** The app's own shutdown bounds (SHUTDOWN_DRAIN_DELAY_MS, SHUTDOWN_TIMEOUT_MS). */
const DRAIN_DELAY_MS = 5000;
const SHUTDOWN_TIMEOUT_MS = 25000;
/** Key of the connection string in the operator's per-user Secrets; the external-mode Secrets use the same. */
const URI_KEY = "connectionString.standard";

/** What the stack exports. */
export interface PlatformOutputs {
  /** Base URL of the public API (`publicUrl`, else https://<domain>). */
  gatewayUrl: string;
  /** Deployed image per app, keyed like the config (`appA`, `appB`): the delivery scripts compare against it. */
  images: pulumi.Output<{ appA: string; appB: string }>;
  namespace: pulumi.Output<string>;
}

/** A full reference stays as it is; a bare digest or tag points into the stack's registry. */
export function imageReference(registryUrl: string | undefined, name: string, ref: string): string {
  if (ref.includes("/")) return ref;
  if (registryUrl === undefined) throw new Error(`image "${ref}" of ${name} needs registryUrl`);
  return ref.startsWith("sha256:") ? `${registryUrl}/${name}@${ref}` : `${registryUrl}/${name}:${ref}`;
}

/**
 * The release version an image reference is tagged with: the tag's leading `x.y.z`, before any `-suffix` (a
 * build's commit) or `+metadata`, ignoring a digest (`.../app-a:0.1.0-118cb37716da` and `.../app-a:1.2.3@sha256:...`
 * give `0.1.0` and `1.2.3`). Undefined when the reference has no version tag (`...@sha256:...`, `:dev`,
 * `:sha-<commit>`): the app then reports its package.json version (runtime contract, "Version").
 */
export function imageVersion(reference: string): string | undefined {
  const withoutDigest = reference.split("@")[0] ?? "";
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = lastPart.lastIndexOf(":");
  if (colon < 0) return undefined;
  return /^(\d+\.\d+\.\d+)(?:[-+][0-9A-Za-z.+-]*)?$/.exec(lastPart.slice(colon + 1))?.[1];
}

/** `SERVICE_VERSION` for an image: the X-App-Version the app sends (and the smoke test compares) is its release. */
function serviceVersion(reference: string): { SERVICE_VERSION?: string } {
  const version = imageVersion(reference);
  return version === undefined ? {} : { SERVICE_VERSION: version };
}

/** RFC 7638 JWK thumbprint of the key's public half: a stable `kid` that reveals nothing about the key. */
export function jwkThumbprint(privateKeyPem: string): string {
  const jwk = createPublicKey(createPrivateKey(privateKeyPem)).export({ format: "jwk" });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(canonical).digest("base64url");
}

/** The port of an http(s) URL as clients use it. */
function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}

/** Creates every Kubernetes object of the platform. */
export function createPlatform(cfg: PlatformConfig, cluster: ClusterInputs): PlatformOutputs {
  // One explicit provider: no object silently lands in whatever context kubectl points at, unless the stack
  // deliberately leaves `kubeconfig` unset (then the provider uses KUBECONFIG / the default context).
  const provider = new k8s.Provider("kubernetes", {
    ...(cluster.kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(cluster.kubeconfig) }),
    enableServerSideApply: true,
  });
  const opts: pulumi.ComponentResourceOptions = { providers: { kubernetes: provider } };
  const ns = new PlatformNamespace(
    "platform-namespace",
    { name: cfg.namespace, protect: cfg.protectResources },
    opts,
  );
  const gatewayUrl = cfg.publicUrl ?? `https://${cluster.domain ?? ""}`;

  const mongo = createDatabase(cfg, cluster, ns.name, provider);

  const jwtSecret = new k8s.core.v1.Secret(
    "app-b-jwt",
    {
      metadata: { name: "app-b-jwt", namespace: ns.name },
      type: "Opaque",
      stringData: {
        JWT_SIGNING_KEYS: pulumi
          .secret(cluster.jwtSigningKey)
          .apply((privateKeyPem) => JSON.stringify([{ kid: jwkThumbprint(privateKeyPem), privateKeyPem }])),
      },
    },
    { provider },
  );

  const shared = (app: (typeof APPS)[keyof typeof APPS], c: AppConfig) => ({
    namespace: ns.name,
    image: imageReference(cluster.registryUrl, app.name, c.image),
    imagePullPolicy: cfg.imagePullPolicy,
    port: app.port,
    metricsPort: app.metricsPort,
    resources: c,
    preStopSleepSeconds: cfg.preStopSleepSeconds,
    rolloutTimeoutSeconds: cfg.rolloutTimeoutSeconds,
    shutdownTimeoutSeconds: SHUTDOWN_TIMEOUT_MS / 1000,
    zoneSpread: cluster.zoneCount > 1 ? ("DoNotSchedule" as const) : ("ScheduleAnyway" as const),
    ingressFromCidrs: cfg.gatewaySourceRanges,
    podMonitoring: cfg.gke.podMonitoring,
  });
  const autoscaling = (c: AppConfig) => ({
    minReplicas: c.minReplicas,
    maxReplicas: c.maxReplicas,
    cpuTargetPercent: c.cpuTargetPercent,
    scaleUpStabilizationSeconds: cfg.hpaScaleUpStabilizationSeconds,
    scaleDownStabilizationSeconds: cfg.hpaScaleDownStabilizationSeconds,
  });
  const commonEnv = (app: (typeof APPS)[keyof typeof APPS], c: AppConfig) => ({
    NODE_ENV: "production",
    HOST: "0.0.0.0",
    PORT: String(app.port),
    METRICS_PORT: String(app.metricsPort),
    LOG_LEVEL: c.logLevel,
    MONGODB_DB: app.db,
    FERRETDB_WORKAROUNDS: String(cfg.ferretdbWorkarounds),
    SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    JWT_ISSUER: gatewayUrl,
    JWT_AUDIENCE: cfg.jwtAudience,
    // How many X-Forwarded-For entries the Gateway appends (2 on GKE's global external ALB, 1 for a Gateway in
    // the cluster): the client address app-b's login throttle counts by.
    TRUST_PROXY: String(cfg.gatewayProxyHops),
    ...serviceVersion(imageReference(cluster.registryUrl, app.name, c.image)),
  });
  const waitForDb = { ...opts, dependsOn: mongo.dependsOn };

  const appB = new Workload(
    APPS.b.name,
    {
      ...shared(APPS.b, cfg.appB),
      env: commonEnv(APPS.b, cfg.appB),
      secretEnv: {
        MONGODB_URI: mongo.uri(MONGODB_USERS.appB),
        JWT_SIGNING_KEYS: { secretName: jwtSecret.metadata.name, key: "JWT_SIGNING_KEYS" },
      },
      autoscaling: autoscaling(cfg.appB),
      ingressFromApps: [APPS.a.name],
      egressTo: mongo.peers,
    },
    waitForDb,
  );
  const traffic = cfg.gke.trafficAutoscaling;
  const appA = new Workload(
    APPS.a.name,
    {
      ...shared(APPS.a, cfg.appA),
      env: {
        ...commonEnv(APPS.a, cfg.appA),
        JWKS_URL: pulumi.interpolate`${appB.internalUrl}/.well-known/jwks.json`,
      },
      secretEnv: { MONGODB_URI: mongo.uri(MONGODB_USERS.appA) },
      autoscaling: {
        ...autoscaling(cfg.appA),
        ...(traffic
          ? {
              maxRatePerEndpoint: cfg.appA.maxRatePerEndpoint,
              traffic: { serviceName: APPS.a.name, capacityTargetPercent: cfg.appA.capacityTargetPercent },
            }
          : {}),
      },
      ingressFromApps: [],
      egressTo: [{ app: APPS.b.name, port: APPS.b.port }, ...mongo.peers],
    },
    waitForDb,
  );

  const tls: GatewayTls =
    cfg.secrets.gatewayTlsCertificate !== undefined && cfg.secrets.gatewayTlsPrivateKey !== undefined
      ? { certificate: cfg.secrets.gatewayTlsCertificate, privateKey: cfg.secrets.gatewayTlsPrivateKey }
      : { certificateMap: cluster.certificateMapName ?? "" };
  const gkeClass = isGkeGatewayClass(cfg.gatewayClassName);
  new Gateway(
    "platform-gateway",
    {
      namespace: ns.name,
      gatewayClassName: cfg.gatewayClassName,
      httpPort: cfg.gatewayHttpPort,
      httpsPort: cfg.gatewayHttpsPort,
      domain: cluster.domain,
      publicHttpsPort: urlPort(gatewayUrl),
      tls,
      // A GKE NamedAddress means nothing to another implementation.
      addressName: gkeClass ? cluster.gatewayAddressName : undefined,
      auth: { service: appB.service.metadata.name, port: APPS.b.port },
      // One value for the Service annotation (what traffic-based autoscaling reads) and the backend policy.
      api: {
        service: appA.service.metadata.name,
        port: APPS.a.port,
        ...(traffic ? { maxRatePerEndpoint: cfg.appA.maxRatePerEndpoint } : {}),
      },
      gkePolicies: cfg.gke.gatewayPolicies
        ? {
            sslPolicyName: cluster.sslPolicyName,
            securityPolicyName: cluster.securityPolicyName,
            timeoutSec: 30,
            // As long as the preStop sleep, so the load balancer has drained a pod before its process stops.
            drainingTimeoutSec: cfg.preStopSleepSeconds,
          }
        : undefined,
    },
    opts,
  );

  if (cfg.gke.backup) {
    new MongoBackup(
      BACKUP_KSA,
      {
        namespace: ns.name,
        connectionSecretName: mongo.uri(MONGODB_USERS.backup).secretName,
        mongoPeers: mongo.peers,
        bucket: cluster.backupBucket ?? "",
        gcpServiceAccount: cfg.gke.workloadIdentity ? cluster.backupServiceAccount : undefined,
        schedule: cfg.backupSchedule,
        toolsImage: cfg.backupToolsImage,
        uploaderImage: cfg.backupUploaderImage,
      },
      waitForDb,
    );
  }

  return {
    gatewayUrl,
    images: pulumi.all([appA.deployment.spec, appB.deployment.spec]).apply(([a, b]) => ({
      appA: a.template.spec.containers[0]?.image ?? "",
      appB: b.template.spec.containers[0]?.image ?? "",
    })),
    namespace: ns.name,
  };
}

/** How the apps reach their database, whichever mode provides it. */
interface Database {
  /** Where each user's connection string is (`connectionString.standard` of a Secret). */
  uri(user: string): SecretKeyRef;
  /** NetworkPolicy egress peers for database clients. */
  peers: Peer[];
  /** What clients wait for before they start. */
  dependsOn: pulumi.Resource[];
}

function createDatabase(
  cfg: PlatformConfig,
  cluster: ClusterInputs,
  namespace: pulumi.Output<string>,
  provider: k8s.Provider,
): Database {
  if (cfg.mongodbMode === "external") {
    const uris: Record<string, string | undefined> = {
      [MONGODB_USERS.appA]: cfg.secrets.appAMongodbUri,
      [MONGODB_USERS.appB]: cfg.secrets.appBMongodbUri,
      [MONGODB_USERS.backup]: cfg.secrets.backupMongodbUri,
    };
    const secrets = Object.entries(uris)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(
        ([user, uri]) =>
          new k8s.core.v1.Secret(
            `${user}-mongodb`,
            {
              metadata: { name: `${user}-mongodb`, namespace },
              type: "Opaque",
              stringData: { [URI_KEY]: pulumi.secret(uri) },
            },
            { provider },
          ),
      );
    return {
      uri: (user) => ({ secretName: `${user}-mongodb`, key: URI_KEY }),
      peers: cfg.mongodbEgressCidrs.map((cidr) => ({ cidr, port: MONGODB_PORT })),
      dependsOn: secrets,
    };
  }
  const passwords = cluster.mongodbPasswords;
  if (passwords === undefined) throw new Error("operator mode without MongoDB passwords");
  const mongo = new MongoDb(
    MONGODB_NAME,
    {
      namespace,
      chartVersion: cfg.mongodbOperatorChartVersion,
      members: cfg.mongodbMembers,
      version: cfg.mongodbVersion,
      users: [
        { name: MONGODB_USERS.appA, roles: [{ name: "readWrite", db: APPS.a.db }], password: passwords.appA },
        { name: MONGODB_USERS.appB, roles: [{ name: "readWrite", db: APPS.b.db }], password: passwords.appB },
        { name: MONGODB_USERS.backup, roles: [{ name: "backup", db: "admin" }], password: passwords.backup },
      ],
      storageSize: cfg.mongodbStorageSize,
      storageClass: cfg.mongodbStorageClass,
      cpuRequest: cfg.mongodbCpuRequest,
      memoryRequest: cfg.mongodbMemoryRequest,
      memoryLimit: cfg.mongodbMemoryLimit,
      zoneAntiAffinity: zoneAntiAffinity(cfg, cluster),
      apiServerCidrs: cluster.apiServerCidrs,
      apiServerPort: cfg.apiServerPort,
      protect: cfg.protectResources,
    },
    { providers: { kubernetes: provider } },
  );
  return {
    uri: (user) => ({ secretName: mongo.connectionSecretName(user), key: URI_KEY }),
    peers: [{ app: mongo.podApp, port: MONGODB_PORT }],
    dependsOn: [mongo],
  };
}
