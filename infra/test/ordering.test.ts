/* eslint-disable @typescript-eslint/no-unsafe-member-access -- rendered manifests are untyped JSON */
/**
 * What only a real engine run would show: the order in which things are created, how long the engine waits, and
 * what it refuses to delete. Checked on the options the program hands the engine.
 */
import { beforeAll, describe, expect, it } from "vitest";

import { REPLICA_SET_TIMEOUTS } from "../src/platform/components/mongodb.js";
import { runForTest, type StackRun } from "./support/platform.js";
import { STACKS } from "./support/rendered.js";

const runs: Partial<Record<string, StackRun>> = {};
beforeAll(async () => {
  for (const stack of STACKS) runs[stack] = await runForTest(stack);
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
