import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { getJson, postJson, registerAndLogin } from "./support/http.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp("refresh");
});
afterAll(() => app.close());

const refresh = (refreshToken: unknown) => postJson(app.baseUrl, "/v1/auth/refresh", { refreshToken });

describe("refresh token rotation", () => {
  it("when a refresh token is exchanged, then a new pair comes back and the new access token works", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const res = await refresh(session.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body.refreshToken).not.toBe(session.refreshToken);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const me = await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${res.body.accessToken}` });
    expect(me.body.id).toBe(session.id);
    expect((await refresh(res.body.refreshToken)).status).toBe(200);
  });

  it("when refresh tokens are stored, then only their SHA-256 is kept", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const records = await app.db.collection("refresh_tokens").find({ userId: session.id }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]!["_id"]).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain(session.refreshToken);
  });

  it("when a used token is presented again, then 401 and the whole family is revoked", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status).toBe(200);
    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    // The token the legitimate rotation produced is dead too: whoever holds it must log in again.
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
  });

  it("when two refreshes with the same token race, then exactly one wins", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("when another login's family is revoked, then this login's tokens still work", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const second = await postJson(app.baseUrl, "/v1/auth/login", session.user);
    await refresh(session.refreshToken);
    await refresh(session.refreshToken);
    expect((await refresh(second.body.refreshToken)).status).toBe(200);
  });

  it.each(["not-a-token", "A".repeat(43)])("when the token %s is unknown, then 401", async (token) => {
    expect((await refresh(token)).status).toBe(401);
  });
});

describe("logout", () => {
  it("when logging out, then 204 and the family's refresh tokens no longer work", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const rotated = await refresh(session.refreshToken);
    const res = await fetch(`${app.baseUrl}/v1/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: rotated.body.refreshToken }),
    });
    expect(res.status).toBe(204);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
  });

  it("when the token is unknown, then logout still answers 204", async () => {
    expect((await postJson(app.baseUrl, "/v1/auth/logout", { refreshToken: "B".repeat(43) })).status).toBe(
      204,
    );
  });
});
