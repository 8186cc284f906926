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

  it("when two refreshes with the same token race, then at most one gets a pair, and the replay ends the family", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    // The second presentation is a replay (no grace period): whatever the first got no longer works.
    for (const won of results.filter((r) => r.status === 200)) {
      expect((await refresh(won.body.refreshToken)).status).toBe(401);
    }
  });

  it("when a replay and a rotation of the same family race, then afterwards no token of the family works", async () => {
    for (let round = 0; round < 5; round++) {
      const session = await registerAndLogin(app.baseUrl);
      const rotated = await refresh(session.refreshToken);
      expect(rotated.status).toBe(200);
      // The replay of the first token revokes the family while the second token is being exchanged.
      const [, inFlight] = await Promise.all([
        refresh(session.refreshToken),
        refresh(rotated.body.refreshToken),
      ]);
      const handedOut = [rotated.body.refreshToken as string];
      if (inFlight.status === 200) handedOut.push(inFlight.body.refreshToken as string);
      for (const token of handedOut) expect((await refresh(token)).status).toBe(401);
    }
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

describe("the absolute lifetime of a login", () => {
  it("when SESSION_MAX_AGE_SECONDS has passed since login, then refresh answers 401 and the user must log in again", async () => {
    const short = await startTestApp("sessionage", { sessionMaxAgeSeconds: 2 });
    try {
      const session = await registerAndLogin(short.baseUrl);
      const first = await postJson(short.baseUrl, "/v1/auth/refresh", { refreshToken: session.refreshToken });
      expect(first.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const late = await postJson(short.baseUrl, "/v1/auth/refresh", {
        refreshToken: first.body.refreshToken,
      });
      expect(late.status).toBe(401);
      expect((await postJson(short.baseUrl, "/v1/auth/login", session.user)).status).toBe(200);
    } finally {
      await short.close();
    }
  });
});
