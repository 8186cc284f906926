import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi-document.js";
import { startTestApp } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { buildUser, getJson, postJson, registerAndLogin } from "./support/http.js";

let app: TestApp;
let refreshToken: string;
let accessToken: string;
beforeAll(async () => {
  app = await startTestApp("badinput", { bodyLimit: "16kb" });
  ({ refreshToken, accessToken } = await registerAndLogin(app.baseUrl));
});
afterAll(() => app.close());

const ENDPOINTS = ["/v1/auth/register", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"];

function expectClientProblem(res: Response | { status: number; headers: Headers }, status?: number) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
}

describe("bad input never yields a 5xx", () => {
  it.each(ENDPOINTS)("when %s gets an unknown field, then 400", async (path) => {
    const body =
      path.includes("refresh") || path.includes("logout")
        ? { refreshToken, extra: 1 }
        : { ...buildUser(), admin: true };
    expectClientProblem(await postJson(app.baseUrl, path, body), 400);
  });

  it.each([
    { email: { $gt: "" }, password: "x" },
    { email: "a@example.com", password: { $ne: null } },
    { refreshToken: { $exists: true } },
    { email: "a@example.com", password: "correct horse battery", nested: [{ $where: "1" }] },
  ])("when the body carries a MongoDB operator (%j), then 400 on every endpoint", async (body) => {
    for (const path of ENDPOINTS) expectClientProblem(await postJson(app.baseUrl, path, body), 400);
  });

  it.each(ENDPOINTS)("when %s gets malformed JSON, then 400", async (path) => {
    expectClientProblem(await postJson(app.baseUrl, path, '{"email": "a@'), 400);
  });

  it.each(ENDPOINTS)("when %s gets a body over the limit, then 413", async (path) => {
    expectClientProblem(await postJson(app.baseUrl, path, { email: "x".repeat(20_000) }), 413);
  });

  it.each(ENDPOINTS)("when %s gets a non-JSON content type, then 415", async (path) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a&password=b",
    });
    expectClientProblem(res, 415);
  });

  it.each([
    ["a JSON array", "[]"],
    ["a JSON string", '"hello"'],
    ["null", "null"],
    ["wrong types", JSON.stringify({ email: 1, password: true })],
    ["an overlong password", JSON.stringify({ email: "a@example.com", password: "x".repeat(10_000) })],
  ])("when login gets %s, then 4xx", async (_case, body) => {
    expectClientProblem(await postJson(app.baseUrl, "/v1/auth/login", body));
  });

  it("when the request has no body, then 400", async () => {
    expectClientProblem(await fetch(`${app.baseUrl}/v1/auth/login`, { method: "POST" }), 400);
  });

  it.each([["Basic dXNlcjpwYXNz"], ["Bearer"], ["Bearer a.b.c"], [`Bearer ${"x".repeat(5000)}`]])(
    "when /me gets Authorization %s, then 401",
    async (header) => {
      expectClientProblem(await getJson(app.baseUrl, "/v1/auth/me", { authorization: header }), 401);
    },
  );

  it.each([
    ["malformed JSON", "application/json", '{"password": "a'],
    ["a MongoDB operator", "application/json", JSON.stringify({ password: { $ne: null } })],
    ["a JSON array", "application/json", "[]"],
    ["no body", "application/json", undefined],
    ["a form", "application/x-www-form-urlencoded", "password=x"],
    ["a body over the limit", "application/json", JSON.stringify({ password: "x".repeat(20_000) })],
  ])("when DELETE /v1/auth/me gets %s, then 4xx and the account stays", async (_case, contentType, body) => {
    const res = await fetch(`${app.baseUrl}/v1/auth/me`, {
      method: "DELETE",
      headers: { "content-type": contentType, authorization: `Bearer ${accessToken}` },
      ...(body === undefined ? {} : { body }),
    });
    expectClientProblem(res);
    expect(
      (await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${accessToken}` })).status,
    ).toBe(200);
  });

  it("when a route does not exist, then 404 problem", async () => {
    expectClientProblem(await getJson(app.baseUrl, "/v1/auth/nope"), 404);
  });

  it("when a known path gets the wrong method, then 404 problem, not 5xx", async () => {
    expectClientProblem(await getJson(app.baseUrl, "/v1/auth/login"));
  });
});

describe("OpenAPI", () => {
  it("when /openapi.json is fetched, then it is OpenAPI 3.1 describing every endpoint from the request schemas", async () => {
    const res = await getJson(app.baseUrl, "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    for (const path of ENDPOINTS) expect(res.body.paths[path].post).toBeDefined();
    expect(res.body.paths["/v1/auth/me"].get.security).toEqual([{ bearerAuth: [] }]);
    expect(res.body.paths["/.well-known/jwks.json"].get).toBeDefined();
    const register = res.body.components.schemas.RegisterRequest;
    expect(register.additionalProperties).toBe(false);
    expect(register.required).toEqual(["email", "password"]);
  });

  it("when the document is built offline, then it is the one the service serves at /openapi.json", async () => {
    expect((await getJson(app.baseUrl, "/openapi.json")).body).toEqual(await openApiDocument());
  });
});

describe("health", () => {
  it("when the database answers, then /healthz and /readyz are 200", async () => {
    expect((await getJson(app.baseUrl, "/healthz")).body).toEqual({ status: "ok" });
    expect((await getJson(app.baseUrl, "/readyz")).body).toEqual({ status: "ready" });
  });
});
