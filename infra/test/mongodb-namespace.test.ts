/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
import { beforeAll, describe, expect, it } from "vitest";

import { memberConnectionString } from "../src/platform/components/mongodb.js";
import { networkPolicyEdges, runForTest, type StackRun } from "./support/platform.js";
import { STACKS } from "./support/rendered.js";
import type { K8sObject } from "./support/rendered.js";

/**
 * Issue 18, item 10: app-b's signing key shares no namespace with the MongoDB operator, whose Role reads every
 * Secret of the namespace it runs in. The chart's own RBAC is inside the Helm release, which the mocks do not
 * template: its shape (Roles in the release namespace while one namespace is watched) was read in the chart's
 * source, and what decides it, the release's namespace and watchNamespace, is asserted here.
 */
const runs: Partial<Record<string, StackRun>> = {};
beforeAll(async () => {
  for (const stack of STACKS) runs[stack] = await runForTest(stack);
  runs.renamed = await runForTest("dev", { "gke-platform:mongodbNamespace": "db" });
});

const READ_VERBS = ["get", "list", "watch", "*"];

/** Rules of `role` that let a subject read Secrets it does not name one by one. */
function unrestrictedSecretReads(role: K8sObject): unknown[] {
  return ((role as any).rules ?? []).filter(
    (rule: any) =>
      (rule.apiGroups ?? []).some((g: string) => g === "" || g === "*") &&
      (rule.resources ?? []).some((r: string) => r === "secrets" || r === "*") &&
      (rule.verbs ?? []).some((v: string) => READ_VERBS.includes(v)) &&
      !(rule.resourceNames?.length > 0),
  );
}

/** Every place in `value` (an object, deeply) where `text` appears as a whole string. */
function mentions(value: unknown, text: string): boolean {
  if (value === text) return true;
  if (Array.isArray(value)) return value.some((v) => mentions(v, text));
  if (value !== null && typeof value === "object") return Object.values(value).some((v) => mentions(v, text));
  return false;
}

describe.each([...STACKS, "renamed"])("%s: MongoDB in a namespace of its own", (name) => {
  const run = () => runs[name]!;
  const mongoNs = name === "renamed" ? "db" : "mongodb";

  it("when the operator's MongoDB is rendered, then the operator, the replica set and their objects live in mongodbNamespace, restricted and default-deny", () => {
    const release = run().one("kubernetes:helm.sh/v3:Release", "mongodb-operator");
    expect(release.namespace).toBe(mongoNs);
    expect(release.values.operator.watchNamespace).toBe(mongoNs);
    // No ClusterMongoDBRole ClusterRole; the chart's other roles follow watchNamespace.
    expect(release.values.operator.enableClusterMongoDBRoles).toBe(false);
    for (const [kind, objName] of [
      ["MongoDBCommunity", "mongodb"],
      ["PodDisruptionBudget", "mongodb"],
      ["NetworkPolicy", "mongodb"],
      ["NetworkPolicy", "mongodb-operator"],
      ["Secret", "mongodb-app-b-password"],
    ] as const)
      expect(run().object(kind, objName).metadata.namespace, `${kind} ${objName}`).toBe(mongoNs);
    const ns = run().objects.find((o) => o.kind === "Namespace" && o.metadata.name === mongoNs)!;
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
    });
    const inMongoNs = run().objects.filter((o) => o.metadata.namespace === mongoNs);
    expect(inMongoNs.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata.name)).toContain(
      "default-deny",
    );
    // Nothing of the services runs there.
    expect(inMongoNs.filter((o) => ["Deployment", "CronJob"].includes(o.kind))).toEqual([]);
  });

  it("when the MongoDB side's roles are collected, then none grants get/list/watch on Secrets in the services' namespace without resourceNames", () => {
    const objects = run().objects;
    const mongoSubject = (s: any) => s.kind === "ServiceAccount" && s.namespace === mongoNs;
    const bindings = objects.filter(
      (o) =>
        ["RoleBinding", "ClusterRoleBinding"].includes(o.kind) &&
        ((o as any).subjects ?? []).some(mongoSubject),
    );
    for (const binding of bindings) {
      const ref = (binding as any).roleRef;
      const role = objects.find(
        (o) =>
          o.kind === ref.kind &&
          o.metadata.name === ref.name &&
          (ref.kind === "ClusterRole" || o.metadata.namespace === binding.metadata.namespace),
      );
      const reachesServices =
        binding.kind === "ClusterRoleBinding" || binding.metadata.namespace === "platform";
      if (role && reachesServices) expect(unrestrictedSecretReads(role), binding.metadata.name).toEqual([]);
    }
    // No Role in the services' namespace and no ClusterRole of the platform reads Secrets wholesale.
    for (const role of objects.filter(
      (o) => o.kind === "ClusterRole" || (o.kind === "Role" && o.metadata.namespace === "platform"),
    ))
      expect(unrestrictedSecretReads(role), `${role.kind} ${role.metadata.name}`).toEqual([]);
    // The operator is not asked to write anywhere outside its namespace (it would need to watch that namespace).
    for (const user of run().object("MongoDBCommunity", "mongodb").spec.users)
      expect(user.connectionStringSecretNamespace, user.name).toBeUndefined();
  });

  it("when the objects that name app-b-jwt are collected, then they are the Secret and app-b's Deployment only", () => {
    const naming = run().objects.filter((o) => mentions(o, "app-b-jwt"));
    expect(naming.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      "Deployment platform/app-b",
      "Secret platform/app-b-jwt",
    ]);
    const spec = run().object("Deployment", "app-b").spec.template.spec;
    expect(mentions(spec.volumes ?? [], "app-b-jwt")).toBe(false);
    const refs = spec.containers.flatMap((c: any) =>
      (c.env ?? [])
        .filter((e: any) => e.valueFrom?.secretKeyRef?.name === "app-b-jwt")
        .map((e: any) => e.name),
    );
    expect(refs).toEqual(["JWT_SIGNING_KEYS"]);
  });

  it("when the clients get their connection strings, then each is a Secret in the services' namespace naming every member in mongodbNamespace", () => {
    expect(run().object("Secret", "app-a-mongodb").metadata.namespace).toBe("platform");
    const uri = run().one("kubernetes:core/v1:Secret", "mongodb-app-a-connection").stringData[
      "connectionString.standard"
    ] as string;
    const members = name === "prod" ? 3 : 1;
    const hosts = Array.from(
      { length: members },
      (_, i) => `mongodb-${i}.mongodb-svc.${mongoNs}.svc.cluster.local:27017`,
    );
    expect(uri).toMatch(
      new RegExp(`^mongodb://app-a:[^@]+@${hosts.join(",")}/admin\\?replicaSet=mongodb&ssl=false$`),
    );
    const backupRef = run().object("CronJob", "mongodb-backup").spec.jobTemplate.spec.template.spec
      .initContainers[0].env[0].valueFrom.secretKeyRef;
    expect(backupRef.name).toBe("mongodb-backup-mongodb");
    expect(run().object("Secret", "mongodb-backup-mongodb").metadata.namespace).toBe("platform");
  });

  it("when NetworkPolicies cross the two namespaces, then clients reach the members by namespace and pod, and the members admit only them", () => {
    const edges = networkPolicyEdges(run().objects);
    const members = `ns:${mongoNs}/app=mongodb-svc`;
    for (const client of ["app-a", "app-b", "mongodb-backup"]) {
      expect(edges).toContain(`app=${client} -> ${members} TCP/27017`);
      expect(edges).toContain(`app=mongodb-svc <- ns:platform/app=${client} TCP/27017`);
    }
    expect(edges.filter((e) => e.startsWith("app=mongodb-svc <-")).sort()).toEqual(
      [
        ...["app-a", "app-b", "mongodb-backup"].map(
          (c) => `app=mongodb-svc <- ns:platform/app=${c} TCP/27017`,
        ),
        "app=mongodb-svc <- app=mongodb-svc TCP/27017",
        "app=mongodb-svc <- app.kubernetes.io/name=mongodb-kubernetes-operator TCP/27017",
      ].sort(),
    );
  });
});

describe("mongodbNamespace", () => {
  it("when it names the services' namespace, then the stack is refused", async () => {
    await expect(runForTest("dev", { "gke-platform:mongodbNamespace": "platform" })).rejects.toThrow(
      /mongodbNamespace: must differ from namespace/,
    );
  });
});

describe("connection strings", () => {
  it("when a password holds URI delimiters, then the connection string escapes them as the operator does", () => {
    expect(
      memberConnectionString({
        name: "mongodb",
        namespace: "db",
        members: 1,
        user: "app-a",
        password: "p@ss/w:rd",
      }),
    ).toBe(
      "mongodb://app-a:p%40ss%2Fw%3Ard@mongodb-0.mongodb-svc.db.svc.cluster.local:27017/admin?replicaSet=mongodb&ssl=false",
    );
  });
});
