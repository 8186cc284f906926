/**
 * The cloud layer (Pulumi project `gke-cloud`): every Google Cloud resource of the platform, wired from typed
 * configuration, and the outputs the platform layer reads through its StackReference (names in
 * shared/contract.ts). `index.ts` calls this with the stack's config; the render script and the tests call it
 * under Pulumi's mocks.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

import { BACKUP_KSA, MONGODB_NAME } from "../shared/contract.js";
import { ProjectApis } from "./components/apis.js";
import { BackupStorage } from "./components/backup-storage.js";
import { Cluster } from "./components/cluster.js";
import { Edge } from "./components/edge.js";
import { GeneratedSecrets } from "./components/generated-secrets.js";
import { Monitoring } from "./components/monitoring.js";
import { Network } from "./components/network.js";
import { Registry } from "./components/registry.js";
import type { CloudConfig } from "./config.js";

/** What the stack exports; the keys of `CLOUD_OUTPUTS` plus a few for people. Secrets stay wrapped. */
export interface CloudOutputs {
  kubeconfig: pulumi.Output<string>;
  registryUrl: pulumi.Output<string>;
  clusterName: pulumi.Output<string>;
  zoneCount: number;
  domain: string;
  gatewayIp: pulumi.Output<string>;
  gatewayAddressName: pulumi.Output<string>;
  certificateMapName: pulumi.Output<string>;
  sslPolicyName: pulumi.Output<string>;
  securityPolicyName: pulumi.Output<string>;
  backupBucket: pulumi.Output<string>;
  backupServiceAccount: pulumi.Output<string>;
  apiServerCidrs: pulumi.Output<string[]>;
  jwtSigningKey: pulumi.Output<string>;
  /** Secret: the listed keys that do not sign (published for verification during a rotation). */
  jwtVerificationKeys: pulumi.Output<string[]>;
  /** Secret: each service's MongoDB password, by service name. */
  mongodbPasswords: pulumi.Output<Record<string, string>>;
  mongodbBackupPassword: pulumi.Output<string>;
}

/** GKE regional clusters put nodes in three zones of the region unless node locations are set. */
const REGIONAL_ZONES = 3;

/** Creates every Google Cloud resource of the platform. */
export function createCloud(cfg: CloudConfig): CloudOutputs {
  const location = cfg.regionalCluster ? cfg.region : cfg.zone;
  // Explicit providers from typed config: no resource silently lands in whatever project gcloud points at.
  const providerArgs = {
    project: cfg.project,
    region: cfg.region,
    defaultLabels: { "managed-by": "pulumi", platform: cfg.namePrefix },
  };
  // The APIs are enabled through a provider of their own; the provider everything else uses depends on them, so
  // on a new project no resource is created (and no API called) before its API is on.
  const apis = new ProjectApis(
    "apis",
    { project: cfg.project },
    { providers: { gcp: new gcp.Provider("gcp-apis", providerArgs) } },
  );
  const gcpProvider = new gcp.Provider("gcp", providerArgs, { dependsOn: apis.services });
  const opts: pulumi.ComponentResourceOptions = { providers: { gcp: gcpProvider } };
  const network = new Network(
    cfg.namePrefix,
    {
      region: cfg.region,
      subnetCidr: cfg.subnetCidr,
      podsCidr: cfg.podsCidr,
      servicesCidr: cfg.servicesCidr,
    },
    opts,
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
      nodeServiceAccount: cfg.nodeServiceAccount,
    },
    opts,
  );
  const registry = new Registry(
    `${cfg.namePrefix}-images`,
    {
      project: cfg.project,
      region: cfg.region,
      repositoryId: "platform",
      readers: [cfg.nodeServiceAccount],
    },
    opts,
  );
  const edge = new Edge(
    "platform-gateway",
    {
      domain: cfg.domain,
      dnsZone: cfg.dnsZone || undefined,
      cloudArmorRequestsPerMinute: cfg.cloudArmor ? cfg.cloudArmorRequestsPerMinute : undefined,
    },
    opts,
  );
  const backup = new BackupStorage(
    "mongodb-backup",
    {
      project: cfg.project,
      region: cfg.region,
      namespace: cfg.namespace,
      serviceAccountName: BACKUP_KSA,
      retentionDays: cfg.backupRetentionDays,
      serviceAccountEmail: cfg.backupServiceAccount,
      workloadPool: cluster.workloadPool,
      network: network.network.id,
    },
    opts,
  );
  new Monitoring(
    "platform-monitoring",
    {
      namespace: cfg.namespace,
      mongoStatefulSet: MONGODB_NAME,
      mongoNamespace: cfg.mongodbNamespace,
      alertEmail: cfg.alertEmail || undefined,
    },
    opts,
  );
  const secrets = new GeneratedSecrets("platform-secrets", undefined, undefined, {
    ids: cfg.jwtSigningKeyIds,
    active: cfg.jwtSigningKeyActive,
  });

  return {
    kubeconfig: cluster.kubeconfig,
    registryUrl: registry.url,
    clusterName: cluster.cluster.name,
    zoneCount: cfg.regionalCluster ? REGIONAL_ZONES : 1,
    domain: cfg.domain,
    gatewayIp: edge.address.address,
    gatewayAddressName: edge.address.name,
    certificateMapName: edge.certificateMap.name,
    sslPolicyName: edge.sslPolicy.name,
    securityPolicyName: edge.securityPolicy ? edge.securityPolicy.name : pulumi.output(""),
    backupBucket: backup.bucket.name,
    backupServiceAccount: pulumi.output(backup.serviceAccountEmail),
    // Pods reach the control plane at its private endpoint (inside masterCidr) on Dataplane V2.
    apiServerCidrs: cluster.privateEndpoint.apply((ip) =>
      ip ? [cfg.masterCidr, `${ip}/32`] : [cfg.masterCidr],
    ),
    jwtSigningKey: secrets.jwtSigningKey,
    jwtVerificationKeys: secrets.jwtVerificationKeys,
    mongodbPasswords: pulumi.secret(pulumi.all(secrets.mongodbPasswords)),
    mongodbBackupPassword: secrets.mongodbBackupPassword,
  };
}
