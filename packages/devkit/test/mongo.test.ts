import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { mongoHello, startLocalMongo } from "../src/index.js";
import type { LocalMongo } from "../src/index.js";

// Always a server of our own, even when the caller's shell has MONGODB_URI set.
const ownServer = { env: { ...process.env, MONGODB_URI: undefined } };
const started: LocalMongo[] = [];
const start = async () => {
  const mongo = await startLocalMongo(ownServer);
  started.push(mongo);
  return mongo;
};
const portOf = (uri: string) => Number(new URL(uri).port);

afterAll(async () => {
  for (const mongo of started) await mongo.stop();
});

describe("startLocalMongo", () => {
  it("when MONGODB_URI is set, then it is returned untouched as an external server", async () => {
    const mongo = await startLocalMongo({ env: { MONGODB_URI: "mongodb://db.example:27017/" } });
    expect(mongo).toMatchObject({ uri: "mongodb://db.example:27017/", kind: "external" });
    await expect(mongo.stop()).rejects.toThrow(/external/);
  });

  it("when no server is installed, then the error names what to install", async () => {
    const env = { PATH: "/nonexistent", PLATFORM_TOOLS_DIR: "/nonexistent" };
    await expect(startLocalMongo({ env })).rejects.toThrow(/MONGODB_URI.*mongod.*FerretDB/s);
  });

  it("when started twice, then both servers answer on their own ports and the driver can write", async () => {
    const [one, two] = await Promise.all([start(), start()]);
    expect(one.kind).not.toBe("external");
    expect(portOf(one.uri)).not.toBe(portOf(two.uri));
    for (const mongo of [one, two]) {
      const client = await MongoClient.connect(mongo.uri);
      try {
        await client.db("devkit").collection("probe").insertOne({ ok: true });
        expect(await client.db("devkit").collection("probe").countDocuments()).toBe(1);
      } finally {
        await client.close();
      }
    }
  });

  it("when stopped and restarted, then it refuses connections in between and keeps its data", async () => {
    const mongo = await start();
    const port = portOf(mongo.uri);
    let client = await MongoClient.connect(mongo.uri);
    await client.db("devkit").collection("kept").insertOne({ name: "before outage" });
    await client.close();

    await mongo.stop();
    expect(await mongoHello(port)).toBe(false);
    await mongo.restart();
    expect(await mongoHello(port)).toBe(true);

    client = await MongoClient.connect(mongo.uri);
    try {
      expect(
        await client
          .db("devkit")
          .collection("kept")
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({
        name: "before outage",
      });
    } finally {
      await client.close();
    }
  });
});
