/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- rendered manifests are untyped JSON; the assertions are what check their shape */
import { readFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { ADMIN_URI_FUNCTION, DUMP_FILE } from "../src/platform/components/backup.js";
import { serviceEntry } from "@platform/contract";
import { runContainerCommand } from "./support/container.js";
import { networkPolicyEdges, runCloudForTest, runForTest, type StackRun } from "./support/platform.js";
import { infraDir } from "./support/rendered.js";

/** `connectionString.standard` as the operator writes it for the backup user of a three-member replica set. */
const members = [0, 1, 2].map((i) => `mongodb-${i}.mongodb-svc.mongodb.svc.cluster.local:27017`).join(",");
const OPERATOR_URI = `mongodb://mongodb-backup:s3cret@${members}/admin?replicaSet=mongodb&ssl=false`;

let run: StackRun;
beforeAll(async () => {
  run = await runForTest("prod");
});

const pod = () => run.object("CronJob", "mongodb-backup").spec.jobTemplate.spec.template.spec;

/** The container's env as the kubelet would set it, with Secret references filled from `secrets`. */
function containerEnv(container: any, secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    (container.env as any[]).map((e) => [
      e.name,
      e.value ?? secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`],
    ]),
  );
}

describe("the nightly backup", () => {
  it("when the dump runs with the operator's connection string, then mongodump dumps every database (no --db, no /admin path) authenticating against admin", () => {
    const dump = pod().initContainers[0];
    const env = containerEnv(dump, {
      "mongodb-backup-mongodb/connectionString.standard": OPERATOR_URI,
    });
    const r = runContainerCommand(dump.command, env, { programs: ["mongodump"] });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      {
        program: "mongodump",
        args: [
          `--uri=mongodb://mongodb-backup:s3cret@${members}/?replicaSet=mongodb&ssl=false&authSource=admin`,
          `--archive=${DUMP_FILE}`,
          "--gzip",
        ],
        env: {},
      },
    ]);
  });

  it.each([
    [
      "a URI without a path",
      "mongodb://b:p@db.internal:27017",
      "mongodb://b:p@db.internal:27017/?authSource=admin",
    ],
    [
      "a URI with its own authSource",
      "mongodb://b:p@db.internal:27017/jobs?authSource=users",
      "mongodb://b:p@db.internal:27017/?authSource=users",
    ],
    [
      "an SRV URI with a database",
      "mongodb+srv://b:p@cluster0.example.net/auth",
      "mongodb+srv://b:p@cluster0.example.net/?authSource=admin",
    ],
  ])(
    "when the backup URI is %s, then mongodump still gets no database and the right auth source",
    (_, uri, expected) => {
      const dump = pod().initContainers[0];
      const env = containerEnv(dump, { "mongodb-backup-mongodb/connectionString.standard": uri });
      const r = runContainerCommand(dump.command, env, { programs: ["mongodump"] });
      expect(r.calls.map((c) => c.args[0])).toEqual([`--uri=${expected}`]);
    },
  );

  it("when the dump is uploaded, then gcloud makes one single-stream upload per run (no parallel composite upload, which objectCreator cannot clean up)", () => {
    const upload = pod().containers[0];
    const env = containerEnv(upload, {});
    const r = runContainerCommand(upload.command, env, {
      programs: ["gcloud"],
      recordEnv: ["CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED", "CLOUDSDK_CONFIG"],
    });
    expect(r.status).toBe(0);
    expect(r.calls).toHaveLength(1);
    const [call] = r.calls;
    expect(call!.args.slice(0, 3)).toEqual(["storage", "cp", DUMP_FILE]);
    expect(call!.args[3]).toMatch(/^gs:\/\/mongodb-backup-bucket\/mongodb\/\d{8}T\d{6}Z\.archive\.gz$/);
    expect(call!.args).toHaveLength(4);
    expect(call!.env).toEqual({
      CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED: "False",
      CLOUDSDK_CONFIG: "/tmp/gcloud",
    });
  });

  it("when the backup identity is granted access, then it may only create objects in the bucket (it can neither delete nor overwrite a dump)", async () => {
    const cloud = await runCloudForTest("prod");
    const bindings = cloud.all("gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(bindings.map((b) => b.inputs.role)).toEqual(["roles/storage.objectCreator"]);
  });
});

describe("what the backup job may run and reach", () => {
  it("when the CronJob is rendered, then both of its images are pinned by tag and by a real sha256 digest", () => {
    const images = [pod().initContainers[0].image, pod().containers[0].image] as string[];
    expect(images).toHaveLength(2);
    for (const image of images) {
      // The job holds a read-everything database credential: a retagged image must not be able to run with it.
      expect(image).toMatch(/^[^\s@]+:[^\s@]+@sha256:[0-9a-f]{64}$/);
      expect(image).not.toMatch(/@sha256:(.)\1{63}$/);
    }
  });

  it("when a backup image is given by tag only, then the platform refuses to deploy it", async () => {
    await expect(
      runForTest("prod", {
        "gke-platform:backupUploaderImage": "gcr.io/google.com/cloudsdktool/google-cloud-cli:562.0.0-slim",
      }),
    ).rejects.toThrow(/pinned by digest/);
  });

  it("when the backup pod opens a connection, then it can reach MongoDB, kube-dns, the metadata server and Google's private API ranges, nothing else", () => {
    const fromBackup = networkPolicyEdges(run.objects).filter(
      (e) => e.startsWith("app=mongodb-backup -> ") || e.startsWith("* -> "),
    );
    expect(fromBackup).toEqual(
      [
        // kube-dns from both namespaces' allow-dns-egress (the services' and MongoDB's).
        ...["TCP/53", "UDP/53"].flatMap((port) =>
          Array(2).fill(`* -> ns:kube-system/k8s-app=kube-dns ${port}`),
        ),
        // The members, in MongoDB's own namespace.
        "app=mongodb-backup -> ns:mongodb/app=mongodb-svc TCP/27017",
        // Workload Identity: the GKE metadata server (169.254.169.252:988 is where Dataplane V2 sends it).
        "app=mongodb-backup -> 169.254.169.254/32 TCP/80",
        "app=mongodb-backup -> 169.254.169.252/32 TCP/988",
        // Cloud Storage through Private Google Access: private.googleapis.com and restricted.googleapis.com.
        "app=mongodb-backup -> 199.36.153.8/30 TCP/443",
        "app=mongodb-backup -> 199.36.153.4/30 TCP/443",
      ].sort(),
    );
  });

  it("when gcloud in the VPC resolves storage.googleapis.com, then a private zone on the cluster's network answers with the private.googleapis.com addresses the job may reach", async () => {
    const cloud = await runCloudForTest("prod");
    const zones = cloud
      .all("gcp:dns/managedZone:ManagedZone")
      .filter((z) => z.inputs.visibility === "private");
    expect(zones).toHaveLength(1);
    const zone = zones[0]!.inputs;
    expect(zone.dnsName).toBe("storage.googleapis.com.");
    const [vpc] = cloud.all("gcp:compute/network:Network");
    expect(zone.privateVisibilityConfig.networks).toHaveLength(1);
    // The mocks give every resource the id `<name>-id`.
    expect(zone.privateVisibilityConfig.networks[0].networkUrl).toBe(`${vpc!.name}-id`);
    const records = cloud
      .all("gcp:dns/recordSet:RecordSet")
      .filter((r) => r.inputs.name === "storage.googleapis.com.");
    expect(records.map((r) => [r.inputs.type, r.inputs.rrdatas])).toEqual([
      ["A", ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"]],
    ]);
  });
});

describe("the restore runbook in infra/README.md", () => {
  const readme = readFileSync(path.join(infraDir, "README.md"), "utf8");
  const script = /<<'RESTORE'\n([\s\S]*?)\nRESTORE\n/.exec(readme)?.[1] ?? "";

  it("when the README restores, then it rewrites the URIs with the same admin_uri as the backup job", () => {
    expect(script.startsWith(`${ADMIN_URI_FUNCTION}\n`)).toBe(true);
  });

  it("when the restore script runs in the restore pod, then mongorestore restores each application database from the archive as that app's user, dropping each dumped collection first", () => {
    const uri = (user: string) => `mongodb://${user}:pw@${members}/admin?replicaSet=mongodb&ssl=false`;
    const r = runContainerCommand(
      ["/bin/sh", "-e"],
      { APP_A_URI: uri("app-a"), APP_B_URI: uri("app-b") },
      { programs: ["mongorestore"], stdin: script },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.args)).toEqual(
      [
        ["app-a", serviceEntry("app-a").database],
        ["app-b", serviceEntry("app-b").database],
      ].map(([user, db]) => [
        `--uri=mongodb://${user}:pw@${members}/?replicaSet=mongodb&ssl=false&authSource=admin`,
        "--archive=/restore/dump.archive.gz",
        "--gzip",
        `--nsInclude=${db}.*`,
        "--drop",
      ]),
    );
  });

  it("when the restore pod reads the connection strings, then they are the connection Secrets of the two app users the platform renders", () => {
    const uriSecret = (app: string): string =>
      (run.object("Deployment", app).spec.template.spec.containers[0].env as any[]).find(
        (e) => e.name === "MONGODB_URI",
      ).valueFrom.secretKeyRef.name;
    const secretNames = new Set([uriSecret("app-a"), uriSecret("app-b")]);
    expect(secretNames).toEqual(new Set(["app-a-mongodb", "app-b-mongodb"]));
    for (const name of secretNames) expect(readme).toContain(`"secretKeyRef": {"name": "${name}"`);
  });
});
