import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AppError,
  createBaseApp,
  createLogger,
  createMetrics,
  createOpenApi,
  finishApp,
  healthRoutes,
  jsonResponse,
  Readiness,
} from "../src/index.js";

/** Boots the shared base app with one validated route over real HTTP, as both services do. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let server: Server;
let base: string;
const metrics = createMetrics({ service: "test" });

beforeAll(async () => {
  const logger = createLogger({ service: "test", level: "info", destination: sink });
  const app = createBaseApp({
    logger,
    metrics,
    bodyLimit: "1kb",
    trustProxy: "loopback",
    version: "1.2.3-test",
  });
  const openapi = createOpenApi({ title: "test", version: "1.0.0" });
  const router = Router();
  openapi.route(router, {
    method: "post",
    path: "/things/{id}",
    summary: "Echo a thing",
    request: {
      params: z.strictObject({ id: z.string().regex(/^\d+$/) }),
      body: z.strictObject({ name: z.string() }),
    },
    responses: { 200: jsonResponse("The thing", z.object({ name: z.string() })) },
    handler: ({ body, params }, _req, res) => {
      logger.info({ id: params.id }, "handled");
      res.json({ id: params.id, name: body.name });
    },
  });
  router.get("/boom", () => {
    throw new Error("internal detail");
  });
  router.get("/conflict", () => {
    throw AppError.conflict("already there");
  });
  app.use(healthRoutes({ readiness: new Readiness([]) }));
  app.use(router);
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi.document());
  });
  finishApp(app, { logger });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (
  path: string,
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
) => fetch(`${base}${path}`, { method: "POST", headers, body });

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: "about:blank" });
  expect(body["requestId"]).toBe(res.headers.get("x-request-id"));
  return body;
}

describe("base app", () => {
  it("when the body is valid, then the handler gets parsed input", async () => {
    const res = await post("/things/42", JSON.stringify({ name: "a" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "42", name: "a" });
  });

  it("when the JSON is malformed, then 400 problem+json", async () => {
    await expectProblem(await post("/things/1", '{"name":'), 400);
  });

  it("when the body exceeds the limit, then 413", async () => {
    await expectProblem(await post("/things/1", JSON.stringify({ name: "x".repeat(5000) })), 413);
  });

  it("when the content type is not JSON, then 415", async () => {
    await expectProblem(
      await post("/things/1", "name=a", { "content-type": "application/x-www-form-urlencoded" }),
      415,
    );
  });

  it("when fields are unknown or params invalid, then 400 listing each", async () => {
    const body = await expectProblem(await post("/things/abc", JSON.stringify({ name: "a", extra: 1 })), 400);
    const paths = (body["errors"] as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["params.id", "body"]));
  });

  it("when a body carries a MongoDB operator, then 400 before the schema", async () => {
    const body = await expectProblem(await post("/things/1", JSON.stringify({ name: { $gt: "" } })), 400);
    expect(body["errors"]).toEqual([expect.objectContaining({ path: "name.$gt" })]);
  });

  it("when the route is unknown, then 404 problem", async () => {
    await expectProblem(await fetch(`${base}/nowhere`), 404);
  });

  it("when a handler throws an unexpected error, then 500 without its message", async () => {
    const body = await expectProblem(await fetch(`${base}/boom`), 500);
    expect(JSON.stringify(body)).not.toContain("internal detail");
  });

  it("when a handler throws an AppError, then its status is used", async () => {
    await expectProblem(await fetch(`${base}/conflict`), 409);
  });

  it("when the caller sends a safe request id, then it is echoed and logged", async () => {
    const res = await post("/things/7", JSON.stringify({ name: "a" }), {
      "content-type": "application/json",
      "x-request-id": "caller-id-123",
    });
    expect(res.headers.get("x-request-id")).toBe("caller-id-123");
    // Logged after the body was parsed: the request context must survive the parser's stream callbacks.
    expect(lines.find((l) => l["message"] === "handled" && l["requestId"] === "caller-id-123")).toBeDefined();
    expect(lines.find((l) => l["message"] === "request" && l["requestId"] === "caller-id-123")).toMatchObject(
      {
        severity: "INFO",
        route: "/things/:id",
        status: 200,
      },
    );
  });

  it("when the caller sends an unsafe request id, then a fresh one replaces it", async () => {
    const res = await fetch(`${base}/healthz`, { headers: { "x-request-id": "x".repeat(200) } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("when responses are sent, then security headers are set and x-powered-by is not", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("when any response is sent, success or problem, then it names the running version", async () => {
    expect((await fetch(`${base}/healthz`)).headers.get("x-app-version")).toBe("1.2.3-test");
    expect((await fetch(`${base}/nowhere`)).headers.get("x-app-version")).toBe("1.2.3-test");
  });

  it("when requests were served, then metrics use route patterns, never raw URLs", async () => {
    await fetch(`${base}/random-${Date.now()}`);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/things\/:id",status="200"/);
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toContain("random-");
  });

  it("when the OpenAPI document is requested, then it is 3.1 and describes the route", async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/things/{id}"]?.["post"]?.requestBody).toBeDefined();
  });
});
