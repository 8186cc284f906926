/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { REQUIRED_APIS } from "../src/cloud/components/apis.js";
import type { CloudOutputs } from "../src/cloud/program.js";
import { runCloudForTest, type Run } from "./support/platform.js";
import { STACKS } from "./support/rendered.js";

const runs: Partial<Record<(typeof STACKS)[number], Run<CloudOutputs>>> = {};
beforeAll(async () => {
  for (const stack of STACKS) runs[stack] = await runCloudForTest(stack);
});

describe.each(STACKS)("%s cloud stack: network and cluster", (stack) => {
  const run = () => runs[stack]!;
  const cluster = () => run().one("gcp:container/cluster:Cluster", `gke-${stack}`);
  const pool = () => run().one("gcp:container/nodePool:NodePool", `gke-${stack}-pool`);

  it("when the cluster is created, then nodes are private and the control plane is not open to the internet", () => {
    const c = cluster();
    expect(c.privateClusterConfig.enablePrivateNodes).toBe(true);
    expect(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled).toBe(false);
    for (const block of c.masterAuthorizedNetworksConfig.cidrBlocks ?? [])
      expect(block.cidrBlock).not.toMatch(/\/0$/);
    expect(c.masterAuth.clientCertificateConfig.issueClientCertificate).toBe(false);
    expect(c.enableLegacyAbac).toBe(false);
  });

  it("when privacy is set, then it uses the fields GKE keeps where the provider offers them, and no deprecated field it replaces", () => {
    const c = cluster();
    expect(pool().networkConfig).toEqual({ enablePrivateNodes: true });
    expect(c.controlPlaneEndpointsConfig.ipEndpointsConfig).toEqual({ enabled: true });
    // enablePrivateNodes (cluster default) and masterIpv4CidrBlock have no replacement in @pulumi/gcp 9.37.
    expect(Object.keys(c.privateClusterConfig as object).sort()).toEqual([
      "enablePrivateNodes",
      "masterIpv4CidrBlock",
    ]);
  });

  it("when the cluster is created, then it has the hardening and features the design requires", () => {
    const c = cluster();
    expect(c.removeDefaultNodePool).toBe(true);
    expect(c.workloadIdentityConfig.workloadPool).toBe(`my-platform-${stack}.svc.id.goog`);
    expect(c.enableShieldedNodes).toBe(true);
    expect(c.datapathProvider).toBe("ADVANCED_DATAPATH");
    expect(c.monitoringConfig.managedPrometheus.enabled).toBe(true);
    expect(c.gatewayApiConfig.channel).toBe("CHANNEL_STANDARD");
    expect(c.releaseChannel.channel).toBe(stack === "prod" ? "STABLE" : "REGULAR");
    expect(c.networkingMode).toBe("VPC_NATIVE");
    expect(c.deletionProtection).toBe(stack === "prod");
    expect(c.location).toBe(stack === "prod" ? "europe-west1" : "europe-west1-b");
  });

  it("when the security posture is set, then it asks only for modes GKE still supports (no VULNERABILITY_BASIC)", () => {
    expect(cluster().securityPostureConfig).toEqual({
      mode: "BASIC",
      vulnerabilityMode: "VULNERABILITY_DISABLED",
    });
  });

  it("when the node pool is created, then it autoscales within config bounds on shielded, metadata-protected nodes", () => {
    const p = pool();
    expect(p.autoscaling).toMatchObject({ minNodeCount: 1, maxNodeCount: stack === "prod" ? 7 : 3 });
    expect(p.nodeConfig.shieldedInstanceConfig).toEqual({
      enableSecureBoot: true,
      enableIntegrityMonitoring: true,
    });
    expect(p.nodeConfig.workloadMetadataConfig.mode).toBe("GKE_METADATA");
    expect(p.nodeConfig.serviceAccount).toBe(
      `gke-${stack}-nodes@my-platform-${stack}.iam.gserviceaccount.com`,
    );
    expect(p.upgradeSettings).toMatchObject({ maxUnavailable: 0 });
    expect(p.nodeConfig.spot).toBe(stack === "dev");
  });

  it("when the cluster is created, then even its temporary default pool runs as the node service account, not the Compute default one", () => {
    const c = cluster();
    const email = `gke-${stack}-nodes@my-platform-${stack}.iam.gserviceaccount.com`;
    expect(c.removeDefaultNodePool).toBe(true);
    expect(c.nodeConfig.serviceAccount).toBe(email);
    expect(c.nodeConfig.workloadMetadataConfig.mode).toBe("GKE_METADATA");
    const opts = run().options("gcp:container/cluster:Cluster", `gke-${stack}`);
    expect(opts.ignoreChanges).toEqual(["nodeConfig"]);
  });

  it("when IAM is granted, then no primitive or project role is used: image pulls on the repository, the bucket role and Workload Identity only", () => {
    const roles = [
      ...run().all("gcp:projects/iAMMember:IAMMember"),
      ...run().all("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"),
      ...run().all("gcp:storage/bucketIAMMember:BucketIAMMember"),
      ...run().all("gcp:serviceaccount/iAMMember:IAMMember"),
    ].map((r) => r.inputs.role as string);
    expect(roles.sort()).toEqual([
      "roles/artifactregistry.reader",
      "roles/iam.workloadIdentityUser",
      "roles/storage.objectCreator",
    ]);
  });

  it("when the network is created, then the subnet has pod/service ranges, Private Google Access and NAT", () => {
    const subnet = run().one("gcp:compute/subnetwork:Subnetwork", `gke-${stack}-nodes`);
    expect(subnet.privateIpGoogleAccess).toBe(true);
    expect(subnet.secondaryIpRanges.map((r: { rangeName: string }) => r.rangeName)).toEqual([
      `gke-${stack}-pods`,
      `gke-${stack}-services`,
    ]);
    expect(
      run().one("gcp:compute/routerNat:RouterNat", `gke-${stack}-nat`).sourceSubnetworkIpRangesToNat,
    ).toBe("ALL_SUBNETWORKS_ALL_IP_RANGES");
  });

  it("when the cloud layer is declared, then it holds no Kubernetes object or provider", () => {
    expect(run().raw.filter((r) => r.type.includes("kubernetes"))).toEqual([]);
  });

  it("when GCP resources are declared, then every one uses the explicit provider bound to the configured project", () => {
    for (const r of run().raw.filter(
      (x) => x.custom && x.type.startsWith("gcp:") && x.type !== "gcp:projects/service:Service",
    )) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(/pulumi:providers:gcp::gcp::/);
    }
    expect(run().one("pulumi:providers:gcp", "gcp").project).toBe(`my-platform-${stack}`);
  });

  it("when the registry is created, then tags are immutable and a cleanup policy exists", () => {
    const repo = run().one("gcp:artifactregistry/repository:Repository", `gke-${stack}-images`);
    expect(repo.format).toBe("DOCKER");
    expect(repo.dockerConfig.immutableTags).toBe(true);
    expect(repo.cleanupPolicies.map((p: { id: string }) => p.id)).toEqual(["delete-untagged", "keep-recent"]);
  });

  it("when outputs are exported, then the kubeconfig, the JWT key and the passwords are secrets", async () => {
    const o = run().outputs;
    for (const secret of [
      o.kubeconfig,
      o.jwtSigningKey,
      o.mongodbPasswords,
      o.mongodbBackupPassword,
    ] as pulumi.Output<unknown>[])
      expect(await pulumi.isSecret(secret)).toBe(true);
    expect(await pulumi.isSecret(o.registryUrl)).toBe(false);
    expect(
      JSON.parse(await new Promise<string>((r) => o.kubeconfig.apply(r))).users[0].user.exec.command,
    ).toBe("gke-gcloud-auth-plugin");
  });

  it("when the platform needs generated secrets, then an Ed25519 key and three 40-character passwords are made here", () => {
    expect(run().one("tls:index/privateKey:PrivateKey", "jwt-signing-key")).toEqual({ algorithm: "ED25519" });
    const passwords = run().all("random:index/randomPassword:RandomPassword");
    expect(passwords.map((p) => p.name).sort()).toEqual([
      "mongodb-app-a-password",
      "mongodb-app-b-password",
      "mongodb-mongodb-backup-password",
    ]);
    for (const p of passwords) expect(p.inputs).toEqual({ length: 40, special: false });
  });

  it("when the zone count is exported, then it matches the cluster's location type", () => {
    expect(run().outputs.zoneCount).toBe(stack === "prod" ? 3 : 1);
  });
});

describe.each(STACKS)("%s cloud stack: Google APIs", (stack) => {
  const run = () => runs[stack]!;

  it("when the stack starts on a new project, then every API it uses is enabled first and left on at destroy", () => {
    const services = run().all("gcp:projects/service:Service");
    expect(services.map((s) => s.inputs.service).sort()).toEqual([...REQUIRED_APIS].sort());
    for (const s of services) {
      expect(s.inputs).toMatchObject({ project: `my-platform-${stack}`, disableOnDestroy: false });
      expect(s.provider).toMatch(/pulumi:providers:gcp::gcp-apis::/);
    }
  });

  it("when any other Google resource is created, then it waits for the APIs (its provider depends on every one)", () => {
    const deps = run().options("pulumi:providers:gcp", "gcp").dependsOn;
    expect(deps.sort()).toEqual(
      run()
        .all("gcp:projects/service:Service")
        .map((s) => s.name)
        .sort(),
    );
    const others = run().raw.filter(
      (r) => r.custom && r.type.startsWith("gcp:") && r.type !== "gcp:projects/service:Service",
    );
    expect(others.length).toBeGreaterThan(20);
    for (const r of others) expect(r.provider, r.name).toMatch(/pulumi:providers:gcp::gcp::/);
  });
});

describe.each(STACKS)("%s cloud stack: the service accounts bootstrap creates", (stack) => {
  const run = () => runs[stack]!;
  const project = `my-platform-${stack}`;
  const nodes = `gke-${stack}-nodes@${project}.iam.gserviceaccount.com`;
  const backup = `gke-${stack}-backup@${project}.iam.gserviceaccount.com`;

  it("when the cloud layer runs as the deployer, then it creates no service account and no project IAM binding (the deployer may do neither)", () => {
    const forbidden = [
      "gcp:serviceaccount/account:Account",
      "gcp:projects/iAMMember:IAMMember",
      "gcp:projects/iAMBinding:IAMBinding",
      "gcp:projects/iAMPolicy:IAMPolicy",
    ];
    expect(
      run()
        .raw.filter((r) => forbidden.includes(r.type))
        .map((r) => `${r.type} ${r.name}`),
    ).toEqual([]);
  });

  it("when the node pool and its temporary default pool start, then they run as bootstrap's node account, which may pull from the repository", () => {
    expect(run().one("gcp:container/nodePool:NodePool", `gke-${stack}-pool`).nodeConfig.serviceAccount).toBe(
      nodes,
    );
    expect(run().one("gcp:container/cluster:Cluster", `gke-${stack}`).nodeConfig.serviceAccount).toBe(nodes);
    const readers = run().all("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember");
    expect(readers.map((r) => r.inputs.member)).toEqual([`serviceAccount:${nodes}`]);
  });

  it("when the backup job is bound, then Workload Identity and the bucket role name bootstrap's backup account, which is exported for the platform", async () => {
    const wi = run().one("gcp:serviceaccount/iAMMember:IAMMember", "mongodb-backup-workload-identity");
    expect(wi).toEqual({
      serviceAccountId: `projects/${project}/serviceAccounts/${backup}`,
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${project}.svc.id.goog[platform/mongodb-backup]`,
    });
    const writer = run().one("gcp:storage/bucketIAMMember:BucketIAMMember", "mongodb-backup-writer");
    expect(writer.member).toBe(`serviceAccount:${backup}`);
    expect(await new Promise<string>((r) => run().outputs.backupServiceAccount.apply(r))).toBe(backup);
  });

  it("when a stack names other accounts, then those are used, and a value that is not a service account email is refused", async () => {
    const other = await runCloudForTest(stack, {
      "gke-cloud:nodeServiceAccount": `custom-nodes@${project}.iam.gserviceaccount.com`,
      "gke-cloud:backupServiceAccount": `custom-backup@${project}.iam.gserviceaccount.com`,
    });
    expect(other.one("gcp:container/nodePool:NodePool", `gke-${stack}-pool`).nodeConfig.serviceAccount).toBe(
      `custom-nodes@${project}.iam.gserviceaccount.com`,
    );
    expect(
      other.one("gcp:serviceaccount/iAMMember:IAMMember", "mongodb-backup-workload-identity")
        .serviceAccountId,
    ).toBe(`projects/${project}/serviceAccounts/custom-backup@${project}.iam.gserviceaccount.com`);
    await expect(runCloudForTest(stack, { "gke-cloud:nodeServiceAccount": "gke-nodes" })).rejects.toThrow(
      /nodeServiceAccount/,
    );
  });
});
