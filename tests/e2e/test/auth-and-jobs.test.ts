import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiClient } from "../src/client.js";
import type { Api, ApiResponse } from "../src/client.js";
import { buildJob } from "@platform/devkit";
import type { JobInput } from "@platform/devkit";
import { registerAndLogin } from "../src/flows.js";
import type { Job, TokenPair, User } from "../src/flows.js";
import { decodeJwt, tokenFromUnknownKey } from "../src/tokens.js";

// Every request goes over HTTPS through nginx, which spreads them over two instances of each app.
const platform = inject("platform");
let api: Api;
let owner: User;

const expectProblem = (response: ApiResponse, status: number) => {
  expect(response.status).toBe(status);
  expect(response.contentType).toContain("application/problem+json");
  expect(response.body).toMatchObject({ status });
};

beforeAll(async () => {
  api = apiClient(platform.httpsUrl, platform.caFile);
  owner = await registerAndLogin(api);
});

afterAll(async () => {
  await api.close();
});

describe("auth through the ingress", () => {
  it("when a user registers and logs in, then they get an EdDSA access token for the jobs API and /me works", async () => {
    expect(owner.tokens).toMatchObject({ tokenType: "Bearer", expiresIn: expect.any(Number) as number });
    const { header, payload } = decodeJwt(owner.tokens.accessToken);
    expect(header).toMatchObject({ alg: "EdDSA", kid: expect.any(String) as string });
    expect(payload).toMatchObject({ sub: owner.id, aud: "jobs-api" });
    expect(String(payload.scope).split(" ")).toEqual(expect.arrayContaining(["jobs:read", "jobs:write"]));

    const me = await api.request("GET", "/v1/auth/me", { token: owner.tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: owner.id, email: owner.email });
  });

  it("when the password is wrong, then login answers 401 without tokens", async () => {
    const response = await api.request("POST", "/v1/auth/login", {
      body: { email: owner.email, password: `${owner.password}-wrong` },
    });
    expectProblem(response, 401);
  });

  it("when a refresh token is used twice, then the reuse revokes the whole family", async () => {
    const user = await registerAndLogin(api);
    const first = await api.request<TokenPair>("POST", "/v1/auth/refresh", {
      body: { refreshToken: user.tokens.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.tokens.refreshToken);

    const replay = await api.request("POST", "/v1/auth/refresh", {
      body: { refreshToken: user.tokens.refreshToken },
    });
    expectProblem(replay, 401);
    // The token issued by the legitimate rotation belongs to the same family, so it is dead too.
    const rotated = await api.request("POST", "/v1/auth/refresh", {
      body: { refreshToken: first.body.refreshToken },
    });
    expectProblem(rotated, 401);
  });

  it("when a refresh token was revoked by logout, then refreshing with it answers 401", async () => {
    const user = await registerAndLogin(api);
    const logout = await api.request("POST", "/v1/auth/logout", {
      token: user.tokens.accessToken,
      body: { refreshToken: user.tokens.refreshToken },
    });
    expect([200, 204]).toContain(logout.status);
    const refresh = await api.request("POST", "/v1/auth/refresh", {
      body: { refreshToken: user.tokens.refreshToken },
    });
    expectProblem(refresh, 401);
  });

  it("when a token is signed by a key app-b never published, then app-a answers 401", async () => {
    const real = decodeJwt(owner.tokens.accessToken);
    const claims = { sub: owner.id, iss: String(real.payload.iss), aud: String(real.payload.aud) };
    // Same kid as the real key (signature check must fail) and an unknown kid (JWKS refresh must not help).
    for (const kid of [String(real.header.kid), "stranger-key"]) {
      const forged = tokenFromUnknownKey({ ...claims, kid });
      expectProblem(await api.request("GET", "/v1/jobs", { token: forged }), 401);
    }
    expectProblem(await api.request("GET", "/v1/jobs"), 401);
  });
});

describe("jobs through the ingress", () => {
  const create = async (token: string, overrides: Partial<JobInput> = {}) => {
    const response = await api.request<Job>("POST", "/v1/jobs", { token, body: buildJob(overrides) });
    expect(response.status).toBe(201);
    return response.body;
  };

  it("when a job is created, then it can be read back and appears in the list", async () => {
    const job = await create(owner.tokens.accessToken, { title: "SRE" });
    expect(job).toMatchObject({
      title: "SRE",
      ownerId: owner.id,
      status: "open",
      version: expect.any(Number) as number,
    });

    const read = await api.request<Job>("GET", `/v1/jobs/${job.id}`, { token: owner.tokens.accessToken });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(job);
    expect(read.headers.get("etag")).toBe(`"${job.version}"`);

    const list = await api.request<{ items: Job[]; nextCursor: string | null }>("GET", "/v1/jobs?limit=100", {
      token: owner.tokens.accessToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((j) => j.id)).toContain(job.id);
    expect(list.body).toHaveProperty("nextCursor");
  });

  it("when a job is updated with the current version, then it changes; with a stale one, then 412", async () => {
    const job = await create(owner.tokens.accessToken);
    const update = (version: number, title: string) =>
      api.request<Job>("PATCH", `/v1/jobs/${job.id}`, {
        token: owner.tokens.accessToken,
        headers: { "if-match": `"${version}"` },
        body: { title },
      });

    const updated = await update(job.version, "Staff platform engineer");
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ title: "Staff platform engineer", version: job.version + 1 });

    const stale = await update(job.version, "Lost update");
    expectProblem(stale, 412);
    const read = await api.request<Job>("GET", `/v1/jobs/${job.id}`, { token: owner.tokens.accessToken });
    expect(read.body.title).toBe("Staff platform engineer");
  });

  it("when another user tries to change or delete a job, then it is refused and the job is unchanged", async () => {
    const job = await create(owner.tokens.accessToken);
    const other = await registerAndLogin(api);
    const patch = await api.request("PATCH", `/v1/jobs/${job.id}`, {
      token: other.tokens.accessToken,
      headers: { "if-match": `"${job.version}"` },
      body: { title: "Hijacked" },
    });
    expect([403, 404]).toContain(patch.status);
    const remove = await api.request("DELETE", `/v1/jobs/${job.id}`, { token: other.tokens.accessToken });
    expect([403, 404]).toContain(remove.status);
    const read = await api.request<Job>("GET", `/v1/jobs/${job.id}`, { token: owner.tokens.accessToken });
    expect(read.body.title).toBe(job.title);
  });

  it("when a job is deleted, then reading it answers 404", async () => {
    const job = await create(owner.tokens.accessToken);
    const removed = await api.request("DELETE", `/v1/jobs/${job.id}`, { token: owner.tokens.accessToken });
    expect(removed.status).toBe(204);
    expectProblem(await api.request("GET", `/v1/jobs/${job.id}`, { token: owner.tokens.accessToken }), 404);
  });
});
