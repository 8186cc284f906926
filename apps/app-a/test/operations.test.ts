import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi-document.js";
import { startDisposableMongo } from "./support/database.js";
import { buildJob, startTestService, waitUntilReady } from "./support/service.js";
import type { TestService } from "./support/service.js";

describe("operations endpoints", () => {
  let api: TestService;

  beforeAll(async () => {
    api = await startTestService("ops");
  });
  afterAll(async () => {
    await api.close();
  });

  it("when the database is up and indexes exist, then /healthz and /readyz answer 200 without a token", async () => {
    expect((await api.request("GET", "/healthz", { token: null })).body).toEqual({ status: "ok" });
    expect((await api.request("GET", "/readyz", { token: null })).body).toEqual({ status: "ready" });
  });

  it("when /openapi.json is fetched, then it is OpenAPI 3.1 describing every jobs operation with strict schemas", async () => {
    const reply = await api.request("GET", "/openapi.json", { token: null });
    expect(reply.status).toBe(200);
    const doc = reply.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; parameters?: { name: string; schema: unknown }[] }>
      >;
      components: { schemas: Record<string, { additionalProperties?: unknown }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths["/v1/jobs"]!)).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/jobs/{id}"]!)).toEqual(
      expect.arrayContaining(["get", "patch", "delete"]),
    );
    expect(doc.paths["/v1/jobs"]!["post"]!.security).toEqual([{ bearerAuth: ["jobs:write"] }]);
    expect(doc.components.schemas["CreateJob"]!.additionalProperties).toBe(false);
    const limit = doc.paths["/v1/jobs"]!["get"]!.parameters?.find((p) => p.name === "limit");
    expect(limit?.schema).toMatchObject({ minimum: 1, maximum: 100, default: 20 });
  });

  it("when the document is built offline, then it is the one the service serves at /openapi.json", async () => {
    const served = await api.request("GET", "/openapi.json", { token: null });
    expect(served.body).toEqual(openApiDocument());
  });

  it("when requests have been served, then the metrics port reports them by route pattern, not raw URL", async () => {
    const created = await api.request("POST", "/v1/jobs", { json: buildJob() });
    await api.request("GET", `/v1/jobs/${created.body.id}`);
    const text = await (await fetch(api.metricsUrl)).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/v1\/jobs\/:id"[^}]*status="200"/);
    expect(text).not.toContain(String(created.body.id));
    expect((await api.request("GET", "/metrics", { token: null })).status).toBe(404);
  });
});

/** A local port with nothing listening on it: connection attempts are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("start-up while the database is down", () => {
  it("when MongoDB is unreachable, then the service still starts, /readyz is 503 and requests get 503 quickly", async () => {
    const port = await closedPort();
    const api = await startTestService("dbdown", {
      env: { MONGODB_URI: `mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=500` },
      waitReady: false,
    });
    try {
      expect((await api.request("GET", "/healthz", { token: null })).status).toBe(200);
      const ready = await api.request("GET", "/readyz", { token: null });
      expect(ready.status).toBe(503);
      expect(ready.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const started = Date.now();
      const list = await api.request("GET", "/v1/jobs");
      expect(list.status).toBe(503);
      expect(list.headers.get("retry-after")).not.toBeNull();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await api.close();
    }
  });

  it("when MongoDB comes up after start-up or comes back after an outage, then the service recovers by itself", async () => {
    const mongo = await startDisposableMongo();
    await mongo.stop();
    const api = await startTestService("recovery", {
      env: { MONGODB_URI: `${mongo.uri}?serverSelectionTimeoutMS=500` },
      waitReady: false,
    });
    try {
      expect((await api.request("GET", "/readyz", { token: null })).status).toBe(503);
      await mongo.restart();
      await waitUntilReady(api, 30_000);
      expect((await api.request("POST", "/v1/jobs", { json: buildJob() })).status).toBe(201);

      await mongo.stop();
      expect((await api.request("GET", "/v1/jobs")).status).toBe(503);
      await mongo.restart();
      await waitUntilReady(api, 30_000);
      const list = await api.request("GET", "/v1/jobs");
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
    } finally {
      await api.close();
      await mongo.stop();
    }
  }, 90_000);
});
