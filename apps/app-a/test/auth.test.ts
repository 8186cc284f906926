import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob, startTestService } from "./support/service.js";
import type { TestService } from "./support/service.js";

let api: TestService;
let jobPath: string;

beforeAll(async () => {
  api = await startTestService("auth");
  const created = await api.request("POST", "/v1/jobs", { json: buildJob() });
  jobPath = `/v1/jobs/${created.body.id}`;
});
afterAll(async () => {
  await api.close();
});

describe("access tokens on /v1", () => {
  it("when no token is sent, then every /v1 route answers 401 with a Bearer challenge", async () => {
    for (const [method, path] of [
      ["GET", "/v1/jobs"],
      ["POST", "/v1/jobs"],
      ["GET", jobPath],
      ["PATCH", jobPath],
      ["DELETE", jobPath],
    ] as const) {
      const reply = await api.request(method, path, { token: null });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it("when the Authorization header is not a bearer token, then it answers 401", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "token"]) {
      const reply = await api.request("GET", "/v1/jobs", { token: null, headers: { authorization } });
      expect(reply.status, authorization).toBe(401);
    }
  });

  it.each([
    ["expired", { expiresIn: -120 }],
    ["for another audience", { audience: "someone-else" }],
    ["from another issuer", { issuer: "http://evil.test" }],
    ["signed by a key the JWKS does not publish", { unknownKey: true }],
    ["a JWT of another type (typ JWT, not at+jwt)", { typ: "JWT" }],
    ["a JWT without a typ header", { typ: null }],
  ])("when the token is %s, then it answers 401", async (_what, tokenOptions) => {
    const reply = await api.request("GET", "/v1/jobs", { tokenOptions });
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("when the token is not a JWT at all or has a tampered signature, then it answers 401", async () => {
    const good = await api.issuer.sign();
    const tampered = `${good.slice(0, -4)}AAAA`;
    for (const token of ["not.a.jwt", tampered]) {
      expect((await api.request("GET", "/v1/jobs", { token })).status).toBe(401);
    }
  });

  it("when the token lacks jobs:write, then writes answer 403 and reads still work", async () => {
    const readOnly = { tokenOptions: { scope: "jobs:read" } };
    expect((await api.request("POST", "/v1/jobs", { ...readOnly, json: buildJob() })).status).toBe(403);
    expect((await api.request("DELETE", jobPath, readOnly)).status).toBe(403);
    expect((await api.request("GET", jobPath, readOnly)).status).toBe(200);
  });

  it("when the token lacks jobs:read, then reads answer 403", async () => {
    const reply = await api.request("GET", "/v1/jobs", { tokenOptions: { scope: "jobs:write" } });
    expect(reply.status).toBe(403);
    expect(reply.headers.get("www-authenticate")).toMatch(/insufficient_scope/);
  });

  it("when many valid requests arrive, then the JWKS is fetched once and cached", async () => {
    const before = api.issuer.fetches();
    for (let i = 0; i < 5; i++) expect((await api.request("GET", "/v1/jobs")).status).toBe(200);
    expect(api.issuer.fetches()).toBe(before);
  });
});
