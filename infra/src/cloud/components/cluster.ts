import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

import { isCidr } from "../../shared/config-reader.js";

/** Arguments for {@link Cluster}. */
export interface ClusterArgs {
  project: string;
  /** Region for a regional cluster, zone for a zonal one. */
  location: string;
  network: pulumi.Input<string>;
  subnetwork: pulumi.Input<string>;
  podsRangeName: string;
  servicesRangeName: string;
  /** /28 for the control plane's private endpoint. */
  masterCidr: string;
  /** CIDRs allowed to reach the control plane's public IP endpoint; never 0.0.0.0/0. Empty = nobody. */
  authorizedNetworks: readonly string[];
  /** Enable the IAM-authorised DNS endpoint (lets CI reach the API without IP allow-listing). */
  dnsEndpoint: boolean;
  releaseChannel: "RAPID" | "REGULAR" | "STABLE";
  deletionProtection: boolean;
  machineType: string;
  /** Autoscaling bounds of the node pool, per zone. */
  minNodes: number;
  maxNodes: number;
  diskSizeGb: number;
  spot: boolean;
  /**
   * Email of the nodes' service account. It is created, and given `roles/container.defaultNodeServiceAccount`, by
   * bootstrap: the deployer running this program may act as it but may not create accounts or grant project roles.
   */
  nodeServiceAccount: string;
}

/**
 * GKE Standard cluster hardened along the lines of terraform-google-modules' safer-cluster: private nodes,
 * authorised networks, Workload Identity, shielded nodes with secure boot, Dataplane V2 (enforces NetworkPolicy),
 * Managed Prometheus, Gateway API, the default node pool replaced by one autoscaled pool running as a
 * least-privilege service account (bootstrap's, given by email). Exports a kubeconfig for the platform layer (which owns every Kubernetes
 * object); this layer needs no Kubernetes provider.
 */
export class Cluster extends pulumi.ComponentResource {
  readonly cluster: gcp.container.Cluster;
  /** The Cloud KMS key etcd encrypts Kubernetes Secrets with (application-layer secrets encryption). */
  readonly secretsKey: gcp.kms.CryptoKey;
  readonly nodePool: gcp.container.NodePool;
  /** Kubeconfig using the gke-gcloud-auth-plugin; a secret because it names the endpoint and CA. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Private endpoint IP of the control plane (NetworkPolicy egress for pods that call the API server). */
  readonly privateEndpoint: pulumi.Output<string>;
  /**
   * `<project>.svc.id.goog`, read back from the created cluster: GKE creates that identity pool with the first
   * cluster that enables Workload Identity, so an IAM member naming it must wait for the cluster. Taking it from
   * this output gives every such binding that dependency.
   */
  readonly workloadPool: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:Cluster", name, {}, opts);
    if (!args.dnsEndpoint && args.authorizedNetworks.length === 0) {
      throw new pulumi.ResourceError(
        "dnsEndpoint is off and authorizedNetworks is empty: nobody could reach the control plane",
        this,
      );
    }
    for (const cidr of [...args.authorizedNetworks, args.masterCidr]) {
      if (!isCidr(cidr)) throw new pulumi.ResourceError(`"${cidr}" is not an IPv4 CIDR`, this);
      if (cidr.endsWith("/0"))
        throw new pulumi.ResourceError(`"${cidr}" would open the control plane to everyone`, this);
    }
    if (args.minNodes > args.maxNodes) {
      throw new pulumi.ResourceError(`minNodes ${args.minNodes} is above maxNodes ${args.maxNodes}`, this);
    }

    // Application-layer secrets encryption (CIS GKE 5.3.1): Secrets in etcd are encrypted with a key of ours, so
    // disabling or destroying it makes a copy of etcd unreadable. The key must be in the cluster's region (a zonal
    // cluster's zone minus its letter), and GKE checks at creation that its service agent may use it.
    const region = args.location.replace(/-[a-z]$/, "");
    const keyRing = new gcp.kms.KeyRing(
      `${name}-secrets`,
      { project: args.project, location: region },
      { parent: this },
    );
    this.secretsKey = new gcp.kms.CryptoKey(
      `${name}-secrets`,
      { keyRing: keyRing.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" }, // 90 days
      { parent: this },
    );
    const projectNumber = gcp.organizations
      .getProjectOutput({ projectId: args.project }, { parent: this })
      .apply((p) => p.number);
    const agentMayUseKey = new gcp.kms.CryptoKeyIAMMember(
      `${name}-secrets-gke-agent`,
      {
        cryptoKeyId: this.secretsKey.id,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
      },
      { parent: this },
    );

    this.cluster = new gcp.container.Cluster(
      name,
      {
        location: args.location,
        network: args.network,
        subnetwork: args.subnetwork,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: {
          clusterSecondaryRangeName: args.podsRangeName,
          servicesSecondaryRangeName: args.servicesRangeName,
        },
        // The default pool cannot be configured as we want; GKE requires one at creation, so it is removed. While
        // it exists (minutes, during creation) it runs as the least-privilege service account too, never as the
        // Compute Engine default one (Editor on the project in many projects).
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        nodeConfig: {
          serviceAccount: args.nodeServiceAccount,
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
          workloadMetadataConfig: { mode: "GKE_METADATA" },
        },
        // GKE deprecates privateClusterConfig for networkConfig.defaultEnablePrivateNodes and
        // controlPlaneEndpointsConfig; @pulumi/gcp 9.37 offers only part of those. What it offers is used: the node
        // pool's own networkConfig.enablePrivateNodes, and ipEndpointsConfig for the IP endpoint (which replaces
        // enablePrivateEndpoint: the public IP endpoint stays, limited to the authorised networks). Kept here for
        // want of a replacement: enablePrivateNodes, the cluster-wide default (no defaultEnablePrivateNodes in the
        // provider; without it the temporary default pool would get public IPs), and masterIpv4CidrBlock.
        privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: args.masterCidr },
        masterAuthorizedNetworksConfig: {
          cidrBlocks: args.authorizedNetworks.map((cidrBlock, i) => ({
            cidrBlock,
            displayName: `authorised-${i}`,
          })),
          gcpPublicCidrsAccessEnabled: false,
        },
        controlPlaneEndpointsConfig: {
          dnsEndpointConfig: { allowExternalTraffic: args.dnsEndpoint },
          ipEndpointsConfig: { enabled: true },
        },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        databaseEncryption: { state: "ENCRYPTED", keyName: this.secretsKey.id },
        enableLegacyAbac: false,
        workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
        enableShieldedNodes: true,
        releaseChannel: { channel: args.releaseChannel },
        datapathProvider: "ADVANCED_DATAPATH",
        gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
        // kube-state-metrics packages feed the dashboard (replicas desired vs current) and the HPA alert.
        monitoringConfig: {
          enableComponents: ["SYSTEM_COMPONENTS", "DEPLOYMENT", "HPA", "POD", "STATEFULSET"],
          managedPrometheus: { enabled: true },
        },
        loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
        // Workload configuration auditing stays on (mode BASIC). GKE's API marks VULNERABILITY_BASIC "Deprecated:
        // Basic vulnerability scanning is no longer supported"; the remaining choices are DISABLED or ENTERPRISE
        // (GKE Enterprise pricing), so image scanning is left to Artifact Analysis on the registry.
        securityPostureConfig: { mode: "BASIC", vulnerabilityMode: "VULNERABILITY_DISABLED" },
        addonsConfig: {
          httpLoadBalancing: { disabled: false },
          horizontalPodAutoscaling: { disabled: false },
          gcePersistentDiskCsiDriverConfig: { enabled: true },
        },
        maintenancePolicy: { dailyMaintenanceWindow: { startTime: "03:00" } },
        deletionProtection: args.deletionProtection,
      },
      // nodeConfig only describes the removed default pool; a later change to it must not replace the cluster.
      { parent: this, ignoreChanges: ["nodeConfig"], dependsOn: [agentMayUseKey] },
    );

    this.nodePool = new gcp.container.NodePool(
      `${name}-pool`,
      {
        cluster: this.cluster.name,
        location: args.location,
        autoscaling: { minNodeCount: args.minNodes, maxNodeCount: args.maxNodes, locationPolicy: "BALANCED" },
        management: { autoRepair: true, autoUpgrade: true },
        upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
        nodeConfig: {
          machineType: args.machineType,
          diskSizeGb: args.diskSizeGb,
          diskType: "pd-balanced",
          imageType: "COS_CONTAINERD",
          spot: args.spot,
          serviceAccount: args.nodeServiceAccount,
          // Access is governed by the service account's IAM roles; the scope only stops being a second gate.
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
          workloadMetadataConfig: { mode: "GKE_METADATA" },
          metadata: { "disable-legacy-endpoints": "true" },
          labels: { pool: "general" },
        },
        // The pool's own setting, which GKE keeps, rather than only the cluster's deprecated privateClusterConfig.
        networkConfig: { enablePrivateNodes: true },
      },
      { parent: this },
    );

    this.workloadPool = this.cluster.workloadIdentityConfig.apply((c) => c.workloadPool ?? "");
    // GKE also reports this as controlPlaneEndpointsConfig.ipEndpointsConfig.privateEndpoint, which the provider
    // does not expose yet; the output-only privateClusterConfig.privateEndpoint holds the same address.
    this.privateEndpoint = this.cluster.privateClusterConfig.apply((c) => c.privateEndpoint);
    const dnsHost = this.cluster.controlPlaneEndpointsConfig.apply((c) => c.dnsEndpointConfig.endpoint);
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth, dnsHost])
        .apply(([clusterName, endpoint, auth, dns]) =>
          buildKubeconfig({
            clusterName,
            server: args.dnsEndpoint && dns ? `https://${dns}` : `https://${endpoint}`,
            // The DNS endpoint presents a publicly trusted certificate; the IP endpoint the cluster's own CA.
            caData: args.dnsEndpoint && dns ? undefined : auth.clusterCaCertificate,
          }),
        ),
    );
    this.registerOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig });
  }
}

/** A kubeconfig that authenticates with the gke-gcloud-auth-plugin (no static credentials). */
export function buildKubeconfig(o: {
  clusterName: string;
  server: string;
  caData: string | undefined;
}): string {
  const cluster: Record<string, string> = { server: o.server };
  if (o.caData) cluster["certificate-authority-data"] = o.caData;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: o.clusterName, cluster }],
    contexts: [{ name: o.clusterName, context: { cluster: o.clusterName, user: o.clusterName } }],
    "current-context": o.clusterName,
    users: [
      {
        name: o.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "gke-gcloud-auth-plugin",
            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            provideClusterInfo: true,
          },
        },
      },
    ],
  });
}
