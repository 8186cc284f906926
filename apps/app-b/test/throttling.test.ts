import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { buildUser, postJson } from "./support/http.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp("throttling", {
    login: { maxAttemptsPerAccount: 3, maxAttemptsPerAddress: 6, windowSeconds: 600 },
  });
});
afterAll(() => app.close());

/** Each test uses its own client address (the app trusts X-Forwarded-For from loopback, like behind the LB). */
let nextAddress = 1;
const fromNewAddress = () => ({ "x-forwarded-for": `203.0.113.${nextAddress++}` });

async function registered() {
  const user = buildUser();
  expect((await postJson(app.baseUrl, "/v1/auth/register", user)).status).toBe(201);
  return user;
}

describe("login throttling per account", () => {
  it("when an account reaches its failure limit, then 429 with Retry-After, even for the right password", async () => {
    const user = await registered();
    const client = fromNewAddress();
    for (let i = 0; i < 3; i++) {
      expect(
        (await postJson(app.baseUrl, "/v1/auth/login", { ...user, password: "wrong password!" }, client))
          .status,
      ).toBe(401);
    }
    const blocked = await postJson(app.baseUrl, "/v1/auth/login", user, fromNewAddress());
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it("when a login succeeds before the limit, then the account counter starts again", async () => {
    const user = await registered();
    const client = fromNewAddress();
    const fail = () =>
      postJson(app.baseUrl, "/v1/auth/login", { ...user, password: "wrong password!" }, client);
    await fail();
    await fail();
    expect((await postJson(app.baseUrl, "/v1/auth/login", user, client)).status).toBe(200);
    await fail();
    await fail();
    // Four failures in total, but never three in a row: still allowed.
    expect((await postJson(app.baseUrl, "/v1/auth/login", user, client)).status).toBe(200);
  });

  it("when the account does not exist, then it is throttled the same way", async () => {
    const ghost = buildUser();
    for (let i = 0; i < 3; i++) {
      expect((await postJson(app.baseUrl, "/v1/auth/login", ghost, fromNewAddress())).status).toBe(401);
    }
    expect((await postJson(app.baseUrl, "/v1/auth/login", ghost, fromNewAddress())).status).toBe(429);
  });
});

describe("login throttling per client address", () => {
  it("when one address fails across many accounts, then it is blocked while other addresses are not", async () => {
    const client = fromNewAddress();
    for (let i = 0; i < 6; i++) {
      expect((await postJson(app.baseUrl, "/v1/auth/login", buildUser(), client)).status).toBe(401);
    }
    const user = await registered();
    const blocked = await postJson(app.baseUrl, "/v1/auth/login", user, client);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await postJson(app.baseUrl, "/v1/auth/login", user, fromNewAddress())).status).toBe(200);
  });

  it("when counters are stored, then they live in MongoDB (shared by every replica) with an expiry", async () => {
    const records = await app.db.collection("login_attempts").find({}).toArray();
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record["expiresAt"]).toBeInstanceOf(Date);
    expect(JSON.stringify(records)).not.toContain("@example.com");
  });
});
