/**
 * The platform layer (Pulumi project `gke-platform`): every Kubernetes object of the platform, on any cluster the
 * kubeconfig points at. `@pulumi/kubernetes` is its only provider. `index.ts` calls this with the stack's config
 * and the resolved cluster inputs; the render script and the tests call it under Pulumi's mocks.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

import { SERVICES, SHUTDOWN, type EnvName, type ServiceEntry } from "@platform/contract";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { BACKUP_KSA, MONGODB_NAME } from "../shared/contract.js";
import {
  alertRules,
  dashboardPanels,
  prometheusRuleGroups,
  vmuiDashboard,
  type ObservabilityOptions,
} from "../shared/observability.js";
import { MongoBackup } from "./components/backup.js";
import { Gateway, type GatewayTls } from "./components/gateway.js";
import { MetricsStack, REQUEST_RATE_METRIC } from "./components/metrics.js";
import { CONNECTION_STRING_KEY, connectionSecretName, MongoDb, MONGODB_PORT } from "./components/mongodb.js";
import { PlatformNamespace } from "./components/namespace.js";
import { Workload, type Peer, type SecretKeyRef } from "./components/workload.js";
import { zoneAntiAffinity, type ClusterInputs } from "./cluster-inputs.js";
import { isGkeGatewayClass, type PlatformConfig, type ServiceSettings } from "./config.js";

/** What the stack exports. */
export interface PlatformOutputs {
  /** Base URL of the public API (`publicUrl`, else https://<domain>). */
  gatewayUrl: string;
  /** Deployed image per service, by service name: the delivery scripts compare against it. */
  images: pulumi.Output<Record<string, string>>;
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
 * build's commit) or `+metadata`, ignoring a digest (`.../<service>:0.1.0-118cb37716da` and `.../<service>:1.2.3@sha256:...`
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

/**
 * The catalogue in an order where every service comes after the services it calls, so a caller's environment can
 * name its callee's in-cluster URL and its first rollout starts once the callee's has.
 */
export function dependencyOrder(services: readonly ServiceEntry[]): ServiceEntry[] {
  const ordered: ServiceEntry[] = [];
  const visiting = new Set<string>();
  const visit = (entry: ServiceEntry) => {
    if (ordered.includes(entry)) return;
    if (visiting.has(entry.name)) throw new Error(`services.json: ${entry.name} is part of a call cycle`);
    visiting.add(entry.name);
    for (const callee of entry.calls) {
      const target = services.find((s) => s.name === callee);
      if (target) visit(target);
    }
    ordered.push(entry);
  };
  services.forEach(visit);
  return ordered;
}

/** The window of the per-pod request rate the HPAs read: four 15 s scrapes, so one late scrape does not halve it. */
const REQUEST_RATE_WINDOW = "1m";

/** Requests per second per pod the HPA keeps a request-scaling service at: capacityTargetPercent of its rate. */
export function requestRateTarget(settings: ServiceSettings): number {
  return Math.round((settings.maxRatePerEndpoint * settings.capacityTargetPercent) / 10) / 10;
}

/** Creates every Kubernetes object of the platform, one Workload per service of the catalogue. */
export function createPlatform(
  cfg: PlatformConfig,
  cluster: ClusterInputs,
  catalogue: readonly ServiceEntry[] = SERVICES,
): PlatformOutputs {
  // One explicit provider: no object silently lands in whatever context kubectl points at, unless the stack
  // deliberately leaves `kubeconfig` unset (then the provider uses KUBECONFIG / the default context).
  const provider = new k8s.Provider("kubernetes", {
    ...(cluster.kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(cluster.kubeconfig) }),
    enableServerSideApply: true,
    // A Secret whose data changes is updated in place. The provider's default replaces it, and a Secret with a
    // fixed name is deleted before its replacement, which replaces every Deployment that reads it: all of that
    // service's pods at once (a signing-key rotation answered 503 for a minute). Pods that must see new data
    // roll through an annotation on their template instead (the issuer's key ids).
    enableSecretMutable: true,
  });
  const opts: pulumi.ComponentResourceOptions = { providers: { kubernetes: provider } };
  const ns = new PlatformNamespace(
    "platform-namespace",
    { name: cfg.namespace, protect: cfg.protectResources },
    opts,
  );
  const gatewayUrl = cfg.publicUrl ?? `https://${cluster.domain ?? ""}`;

  const mongo = createDatabase(cfg, cluster, ns.name, provider, catalogue);

  const traffic = cfg.gke.trafficAutoscaling;
  const settingsOf = (entry: ServiceEntry): ServiceSettings => {
    const settings = cfg.services[entry.name];
    if (settings === undefined) throw new Error(`no config for service ${entry.name}`);
    return settings;
  };
  const imageOf = (entry: ServiceEntry) =>
    imageReference(cluster.registryUrl, entry.name, settingsOf(entry).image);
  const commonEnv = (entry: ServiceEntry): Partial<Record<EnvName, pulumi.Input<string>>> => ({
    NODE_ENV: "production",
    HOST: "0.0.0.0",
    PORT: String(entry.port),
    METRICS_PORT: String(entry.metricsPort),
    LOG_LEVEL: settingsOf(entry).logLevel,
    MONGODB_DB: entry.database,
    FERRETDB_WORKAROUNDS: String(cfg.ferretdbWorkarounds),
    SHUTDOWN_DRAIN_DELAY_MS: String(SHUTDOWN.productionDrainDelayMs),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN.timeoutMs),
    JWT_ISSUER: gatewayUrl,
    JWT_AUDIENCE: cfg.jwtAudience,
    // How many X-Forwarded-For entries the Gateway appends (2 on GKE's global external ALB, 1 for a Gateway in
    // the cluster): the client address the token issuer's login throttle counts by.
    TRUST_PROXY: String(cfg.gatewayProxyHops),
    ...serviceVersion(imageOf(entry)),
  });
  const waitForDb = { ...opts, dependsOn: mongo.dependsOn };

  // The in-cluster metrics pipeline: the request rate the HPAs below read, the dashboards, the alert rules.
  const inClusterMetrics = cfg.metrics.stack === "in-cluster";
  const metricsScraper = inClusterMetrics
    ? { namespace: cfg.metrics.namespace, app: "victoria-metrics" }
    : undefined;
  if (inClusterMetrics) {
    const observability: ObservabilityOptions = {
      namespace: cfg.namespace,
      mongoStatefulSet: MONGODB_NAME,
      mongoNamespace: cfg.mongodbNamespace,
      rateWindow: cfg.metrics.rateWindow,
      forScale: cfg.metrics.alertForPercent / 100,
    };
    new MetricsStack(
      "metrics",
      {
        namespace: cfg.metrics.namespace,
        servicesNamespace: cfg.namespace,
        databaseNamespace: cfg.mongodbMode === "operator" ? cfg.mongodbNamespace : undefined,
        services: catalogue.map((entry) => ({ name: entry.name, metricsPort: entry.metricsPort })),
        images: cfg.metrics.images,
        imagePullPolicy: cfg.imagePullPolicy,
        retention: cfg.metrics.retention,
        storageLimit: cfg.metrics.storageLimit,
        requestRateWindow: REQUEST_RATE_WINDOW,
        dashboards: {
          "platform.json": JSON.stringify(
            vmuiDashboard(dashboardPanels(observability), "GKE platform services"),
            null,
            2,
          ),
        },
        alertRules: prometheusRuleGroups(alertRules(observability), "platform", 15),
        apiServerCidrs: cluster.apiServerCidrs,
        apiServerPort: cfg.apiServerPort,
        ingressCidrs: cfg.metrics.ingressCidrs,
        nodePorts: cfg.metrics.nodePorts,
      },
      { ...opts, dependsOn: [ns] },
    );
  }

  const workloads = new Map<string, Workload>();
  for (const entry of dependencyOrder(catalogue)) {
    const settings = settingsOf(entry);
    const byRate = entry.autoscaling === "requests" && traffic;
    const env = { ...settings.env, ...commonEnv(entry) };
    const secretEnv: Partial<Record<EnvName, SecretKeyRef>> = { MONGODB_URI: mongo.uri(entry.name) };
    const podAnnotations: Record<string, string> = {};
    // Secrets are updated in place (the provider's enableSecretMutable) and a pod reads its variables at start: a
    // changed connection string rolls the service's pods through a digest of it, which reveals nothing of it.
    const uriDigest = mongo.uriDigest(entry.name);
    if (uriDigest !== undefined) podAnnotations["platform.gke-platform/mongodb-uri-sha256"] = uriDigest;
    if (entry.tokens === "issuer") {
      // The signing key first (it signs), then the keys published for verification only: a rotation's next key
      // (published before it signs) or its old one (kept until the tokens it signed have expired).
      const keySet = [cluster.jwtSigningKey, ...cluster.jwtVerificationKeys].map((privateKeyPem) => ({
        kid: jwkThumbprint(privateKeyPem),
        privateKeyPem,
      }));
      const keys = new k8s.core.v1.Secret(
        `${entry.name}-jwt`,
        {
          metadata: { name: `${entry.name}-jwt`, namespace: ns.name },
          type: "Opaque",
          stringData: { JWT_SIGNING_KEYS: pulumi.secret(JSON.stringify(keySet)) },
        },
        { provider },
      );
      // The service reads its keys at start: a changed key set rolls its pods (zero-downtime rollout). The kids
      // are public (the JWKS publishes them); they name the set and its order without revealing a key.
      podAnnotations["platform.gke-platform/jwt-kids"] = keySet.map((k) => k.kid).join(",");
      secretEnv.JWT_SIGNING_KEYS = { secretName: keys.metadata.name, key: "JWT_SIGNING_KEYS" };
    }
    if (entry.tokens === "verifier") {
      const issuer = catalogue.find((s) => s.tokens === "issuer");
      const issuerWorkload = issuer && workloads.get(issuer.name);
      if (issuerWorkload === undefined)
        throw new Error(`${entry.name} verifies tokens but no issuer was created`);
      env.JWKS_URL = pulumi.interpolate`${issuerWorkload.internalUrl}/.well-known/jwks.json`;
    }
    const callees = entry.calls
      .map((name) => catalogue.find((s) => s.name === name))
      .filter((s) => s !== undefined);
    const workload = new Workload(
      entry.name,
      {
        namespace: ns.name,
        image: imageOf(entry),
        imagePullPolicy: cfg.imagePullPolicy,
        port: entry.port,
        metricsPort: entry.metricsPort,
        resources: settings,
        preStopSleepSeconds: cfg.preStopSleepSeconds,
        rolloutTimeoutSeconds: cfg.rolloutTimeoutSeconds,
        shutdownTimeoutSeconds: SHUTDOWN.timeoutMs / 1000,
        zoneSpread: cluster.zoneCount > 1 ? "DoNotSchedule" : "ScheduleAnyway",
        // Only a service with routes is reached from the load balancer's ranges.
        ingressFromCidrs: entry.routes.length > 0 ? cfg.gatewaySourceRanges : [],
        podMonitoring: cfg.gke.podMonitoring,
        scrapedBy: metricsScraper,
        env,
        secretEnv,
        podAnnotations,
        autoscaling: {
          minReplicas: settings.minReplicas,
          maxReplicas: settings.maxReplicas,
          cpuTargetPercent: settings.cpuTargetPercent,
          scaleUpStabilizationSeconds: cfg.hpaScaleUpStabilizationSeconds,
          scaleDownStabilizationSeconds: cfg.hpaScaleDownStabilizationSeconds,
          ...(byRate
            ? {
                maxRatePerEndpoint: settings.maxRatePerEndpoint,
                traffic: { serviceName: entry.name, capacityTargetPercent: settings.capacityTargetPercent },
              }
            : {}),
          // The same figure on any cluster: capacityTargetPercent of the measured per-pod rate.
          ...(entry.autoscaling === "requests" && inClusterMetrics
            ? {
                requestRate: {
                  metric: REQUEST_RATE_METRIC,
                  averageValuePerPod: requestRateTarget(settings),
                },
              }
            : {}),
        },
        ingressFromApps: catalogue.filter((s) => s.calls.includes(entry.name)).map((s) => s.name),
        egressTo: [...callees.map((s) => ({ app: s.name, port: s.port })), ...mongo.peers],
      },
      waitForDb,
    );
    workloads.set(entry.name, workload);
  }
  const workloadOf = (entry: ServiceEntry): Workload => {
    const workload = workloads.get(entry.name);
    if (workload === undefined) throw new Error(`no workload for ${entry.name}`);
    return workload;
  };

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
      // One value for the Service annotation (what traffic-based autoscaling reads) and the backend policy.
      backends: catalogue
        .filter((entry) => entry.routes.length > 0)
        .map((entry) => ({
          service: workloadOf(entry).service.metadata.name,
          port: entry.port,
          pathPrefixes: entry.routes,
          ...(entry.autoscaling === "requests" && traffic
            ? { maxRatePerEndpoint: settingsOf(entry).maxRatePerEndpoint }
            : {}),
        })),
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
        connectionSecretName: mongo.uri(BACKUP_KSA).secretName,
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

  const names = catalogue.map((entry) => entry.name);
  return {
    gatewayUrl,
    images: pulumi
      .all(catalogue.map((entry) => workloadOf(entry).deployment.spec))
      .apply((specs) =>
        Object.fromEntries(
          specs.map((spec, i) => [names[i] ?? "", spec.template.spec.containers[0]?.image ?? ""]),
        ),
      ),
    namespace: ns.name,
  };
}

/** How the apps reach their database, whichever mode provides it. */
interface Database {
  /** Where each user's connection string is (`connectionString.standard` of a Secret). */
  uri(user: string): SecretKeyRef;
  /** A digest of the user's connection string when the stack config holds it (external mode), else undefined. */
  uriDigest(user: string): string | undefined;
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
  catalogue: readonly ServiceEntry[],
): Database {
  if (cfg.mongodbMode === "external") {
    // One database user per service (named after it) and the backup job's.
    const uris: Record<string, string | undefined> = {
      ...cfg.secrets.mongodbUris,
      [BACKUP_KSA]: cfg.secrets.backupMongodbUri,
    };
    const secrets = Object.entries(uris)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(
        ([user, uri]) =>
          new k8s.core.v1.Secret(
            `${user}-mongodb`,
            {
              metadata: { name: connectionSecretName(user), namespace },
              type: "Opaque",
              stringData: { [CONNECTION_STRING_KEY]: pulumi.secret(uri) },
            },
            { provider },
          ),
      );
    return {
      uri: (user) => ({ secretName: connectionSecretName(user), key: CONNECTION_STRING_KEY }),
      uriDigest: (user) => {
        const uri = uris[user];
        return uri === undefined ? undefined : createHash("sha256").update(uri).digest("hex").slice(0, 32);
      },
      peers: cfg.mongodbEgressCidrs.map((cidr) => ({ cidr, port: MONGODB_PORT })),
      dependsOn: secrets,
    };
  }
  const passwords = cluster.mongodbPasswords;
  if (passwords === undefined) throw new Error("operator mode without MongoDB passwords");
  // A namespace of its own: the operator's Role reads every Secret of the namespace it runs in.
  const mongoNs = new PlatformNamespace(
    "mongodb-namespace",
    { name: cfg.mongodbNamespace, protect: cfg.protectResources },
    { providers: { kubernetes: provider } },
  );
  const mongo = new MongoDb(
    MONGODB_NAME,
    {
      namespace: mongoNs.name,
      clientNamespace: namespace,
      chartVersion: cfg.mongodbOperatorChartVersion,
      members: cfg.mongodbMembers,
      version: cfg.mongodbVersion,
      users: [
        ...catalogue.map((entry) => {
          const password = passwords.services[entry.name];
          if (password === undefined)
            throw new Error(`operator mode without a MongoDB password for ${entry.name}`);
          return { name: entry.name, roles: [{ name: "readWrite", db: entry.database }], password };
        }),
        { name: BACKUP_KSA, roles: [{ name: "backup", db: "admin" }], password: passwords.backup },
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
    uri: (user) => ({ secretName: connectionSecretName(user), key: CONNECTION_STRING_KEY }),
    // The passwords are the cloud layer's and change only with a new replica set user.
    uriDigest: () => undefined,
    peers: [{ app: mongo.podApp, port: MONGODB_PORT, namespace: mongoNs.name }],
    dependsOn: [mongo],
  };
}
