/**
 * What only a real engine run would show: the order in which things are created, how long the engine waits, and
 * what it refuses to delete. Checked on the options the program hands the engine.
 */
import { beforeAll, describe, expect, it } from "vitest";

import { REPLICA_SET_TIMEOUTS } from "../src/platform/components/mongodb.js";
import { runForTest, type StackRun } from "./support/platform.js";
import { PLATFORM_STACKS, STACKS } from "./support/rendered.js";

const runs: Partial<Record<string, StackRun>> = {};
beforeAll(async () => {
  for (const stack of PLATFORM_STACKS) runs[stack] = await runForTest(stack);
});

const minutes = (duration: string) => {
  const m = /^(\d+)m$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]);
};

describe.each(STACKS)("%s platform stack: first pulumi up", (stack) => {
  const run = () => runs[stack]!;

  it("when the replica set is created, then the engine waits until the operator reports it Running, with time for a new regional cluster", () => {
    const mdb = run().object("MongoDBCommunity", "mongodb");
    expect(mdb.metadata.annotations).toEqual({ "pulumi.com/waitFor": "jsonpath={.status.phase}=Running" });
    const { customTimeouts } = run().options(
      "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity",
      "mongodb",
    );
    expect(customTimeouts).toEqual(REPLICA_SET_TIMEOUTS);
    expect(minutes(customTimeouts!.create!)).toBeGreaterThanOrEqual(30);
  });

  it.each(["app-a", "app-b", "mongodb-backup"])(
    "when %s is declared, then it waits for the MongoDB component (whose Secrets appear once Running)",
    (name) => {
      const type = name === "mongodb-backup" ? "platform:index:MongoBackup" : "platform:index:Workload";
      expect(run().options(type, name).dependsOn).toContain("mongodb");
    },
  );
});

const DATA = [
  ["kubernetes:core/v1:Namespace", "platform-namespace"],
  ["kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb"],
  ["kubernetes:helm.sh/v3:Release", "mongodb-operator"],
] as const;

describe.each(STACKS)("%s platform stack: second pulumi up and pulumi destroy", (stack) => {
  const run = () => runs[stack]!;

  it.each(DATA)(
    "when %s %s would be deleted or replaced, then the engine refuses (protect)",
    (type, name) => {
      expect(run().options(type, name).protect).toBe(true);
    },
  );

  it("when the replica set leaves the program, then it is retained in the cluster, not deleted", () => {
    expect(
      run().options("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb").retainOnDelete,
    ).toBe(true);
  });

  it("when the provider is configured, then its kubeconfig is the cloud stack's resolved output, not a value computed from cluster outputs in this program", () => {
    const provider = run().one("pulumi:providers:kubernetes", "kubernetes");
    expect(typeof provider.kubeconfig).toBe("string");
    expect(run().options("pulumi:providers:kubernetes", "kubernetes").dependsOn).toEqual([]);
  });
});

describe("local.example platform stack: a throw-away cluster", () => {
  it("when protectResources is false, then pulumi destroy may remove the namespace", () => {
    const run = runs["local.example"]!;
    expect(run.options("kubernetes:core/v1:Namespace", "platform-namespace").protect).toBe(false);
  });
});
