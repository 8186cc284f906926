/**
 * The efficiency run's two floors answer the read the way app-a's clients see it: the stored document as JSON for
 * a known id, a 404 for an unknown or malformed one, and the same body from both (only the framework differs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalMongo } from "@platform/devkit";
import type { LocalMongo } from "@platform/devkit";
import { MongoClient, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Child from "./child.js";
import type { ChildServer } from "./child.js";

// The built servers, what `pnpm bench` starts (turbo builds bench before its tests).
const { startRawDriver } = (await import(new URL("../dist/child.js", import.meta.url).href)) as typeof Child;

const DB = "bench_raw_driver_test";
let dataDir: string;
let mongo: LocalMongo;
const servers: Partial<Record<"node-http" | "express", ChildServer>> = {};
const id = new ObjectId();
const job = { _id: id, title: "Bench engineer", company: "Bench Corp", tags: ["a", "b"], version: 1 };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "bench-raw-driver-"));
  mongo = await startLocalMongo({ dataDir });
  const client = new MongoClient(mongo.uri);
  try {
    await client.db(DB).collection("jobs").insertOne(job);
  } finally {
    await client.close();
  }
  servers["node-http"] = await startRawDriver(mongo.uri, DB, "node-http");
  servers.express = await startRawDriver(mongo.uri, DB, "express");
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  if (mongo.kind !== "external") await mongo.stop();
  else await new MongoClient(mongo.uri).db(DB).dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(["node-http", "express"] as const)("raw-driver-server %s", (kind) => {
  const get = (path: string) => fetch(`${servers[kind]!.url}${path}`);

  it("when the job exists, then it answers 200 with the stored document as JSON", async () => {
    const res = await get(`/v1/jobs/${id.toHexString()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(job)));
  });

  it("when the id is unknown or not an ObjectId, then it answers 404", async () => {
    expect((await get(`/v1/jobs/${new ObjectId().toHexString()}`)).status).toBe(404);
    expect((await get("/v1/jobs/not-an-id")).status).toBe(404);
    expect((await get("/v1/other")).status).toBe(404);
  });
});
