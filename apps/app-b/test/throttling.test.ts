import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { buildUser, postJson } from "./support/http.js";

/** Small limits so tests reach them: 3 per (account, client), 6 per client, 8 per account from anywhere. */
const limits = {
  maxAttemptsPerAccountAndAddress: 3,
  maxAttemptsPerAddress: 6,
  windowSeconds: 600,
  maxAttemptsPerAccount: 8,
  accountWindowSeconds: 3600,
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp("throttling", {
    login: limits,
    registration: { maxPerAddress: 3, windowSeconds: 600 },
  });
});
afterAll(() => app.close());

/** Each test uses its own client addresses (the app trusts X-Forwarded-For from loopback, like behind the LB). */
let nextAddress = 1;
const fromNewAddress = () => ({ "x-forwarded-for": `203.0.113.${nextAddress++}` });

async function registered() {
  const user = buildUser();
  expect((await postJson(app.baseUrl, "/v1/auth/register", user, fromNewAddress())).status).toBe(201);
  return user;
}

const login = (body: unknown, client: Record<string, string>) =>
  postJson(app.baseUrl, "/v1/auth/login", body, client);
const wrong = (user: { email: string }) => ({ email: user.email, password: "wrong password!" });
const statuses = (results: { status: number }[]) => results.map((r) => r.status).sort();

describe("login throttling per account and client address", () => {
  it("when a client reaches its failure limit for an account, then it gets 429 with Retry-After, even for the right password", async () => {
    const user = await registered();
    const client = fromNewAddress();
    for (let i = 0; i < 3; i++) expect((await login(wrong(user), client)).status).toBe(401);
    const blocked = await login(user, client);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    // At most the window plus one of its quarter steps (see the README's throttling section).
    expect(retryAfter).toBeLessThanOrEqual(750);
  });

  it("when an attacker exhausts its own limit for an account, then the owner logs in from another address", async () => {
    const user = await registered();
    const attacker = fromNewAddress();
    for (let i = 0; i < 5; i++) await login(wrong(user), attacker);
    expect((await login(wrong(user), attacker)).status).toBe(429);
    expect((await login(user, fromNewAddress())).status).toBe(200);
  });

  it("when a login succeeds before the limit, then that client's counter for the account starts again", async () => {
    const user = await registered();
    const client = fromNewAddress();
    await login(wrong(user), client);
    await login(wrong(user), client);
    expect((await login(user, client)).status).toBe(200);
    await login(wrong(user), client);
    await login(wrong(user), client);
    // Four failures in total, but never three in a row: still allowed.
    expect((await login(user, client)).status).toBe(200);
  });

  it("when the account does not exist, then it is throttled the same way", async () => {
    const ghost = buildUser();
    const client = fromNewAddress();
    for (let i = 0; i < 3; i++) expect((await login(ghost, client)).status).toBe(401);
    expect((await login(ghost, client)).status).toBe(429);
  });

  it("when one client sends many guesses for one account at once, then no more than its limit are checked", async () => {
    const user = await registered();
    const client = fromNewAddress();
    const results = await Promise.all(Array.from({ length: 12 }, () => login(wrong(user), client)));
    // Every 401 is a password that was checked; the rest were refused before Argon2 ran.
    expect(statuses(results)).toEqual([...Array<number>(3).fill(401), ...Array<number>(9).fill(429)]);
  });
});

describe("login throttling and legitimate bursts", () => {
  it("when one client logs in to an account more times at once than its failure limit, with the right password, then every login succeeds", async () => {
    const user = await registered();
    const client = fromNewAddress();
    const results = await Promise.all(Array.from({ length: 8 }, () => login(user, client)));
    expect(statuses(results)).toEqual(Array<number>(8).fill(200));
  });
});

describe("login throttling per account, from every address", () => {
  it("when guesses for one account come from many addresses, then at most the account limit is checked, also at once", async () => {
    const user = await registered();
    const results = await Promise.all(Array.from({ length: 16 }, () => login(wrong(user), fromNewAddress())));
    expect(statuses(results)).toEqual([...Array<number>(8).fill(401), ...Array<number>(8).fill(429)]);
    // The bound on guessing holds for everyone, the owner included, until the account window moves on.
    const owner = await login(user, fromNewAddress());
    expect(owner.status).toBe(429);
    expect(Number(owner.headers.get("retry-after"))).toBeGreaterThan(600);
  });

  it("when a client is refused by its own limit, then its refused attempts do not use up the account's budget", async () => {
    const user = await registered();
    const attacker = fromNewAddress();
    for (let i = 0; i < 20; i++) await login(wrong(user), attacker);
    // Only three of the twenty were checked, so five more failures from elsewhere still fit in the budget of 8.
    for (let i = 0; i < 5; i++) expect((await login(wrong(user), fromNewAddress())).status).toBe(401);
    expect((await login(user, fromNewAddress())).status).toBe(429);
  });
});

describe("login throttling per client address", () => {
  it("when one address fails across many accounts, then it is blocked while other addresses are not", async () => {
    const client = fromNewAddress();
    for (let i = 0; i < 6; i++) expect((await login(buildUser(), client)).status).toBe(401);
    const user = await registered();
    const blocked = await login(user, client);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await login(user, fromNewAddress())).status).toBe(200);
  });

  it("when an IPv6 client changes addresses inside its /64, then it is still one client", async () => {
    const user = await registered();
    const inPrefix = (n: number) => ({ "x-forwarded-for": `2001:db8:1:2::${n.toString(16)}` });
    for (let i = 1; i <= 3; i++) expect((await login(wrong(user), inPrefix(i))).status).toBe(401);
    expect((await login(wrong(user), inPrefix(99))).status).toBe(429);
    expect((await login(user, { "x-forwarded-for": "2001:db8:1:3::1" })).status).toBe(200);
  });

  it("when counters are stored, then they live in MongoDB (shared by every replica) with an expiry", async () => {
    const records = await app.db.collection("login_attempts").find({}).toArray();
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record["expiresAt"]).toBeInstanceOf(Date);
    expect(JSON.stringify(records)).not.toContain("@example.com");
  });
});

describe("registration throttling per client address", () => {
  it("when one client registers past its limit, then 429 with Retry-After, while other clients still register", async () => {
    const client = fromNewAddress();
    for (let i = 0; i < 3; i++) {
      expect((await postJson(app.baseUrl, "/v1/auth/register", buildUser(), client)).status).toBe(201);
    }
    const refused = await postJson(app.baseUrl, "/v1/auth/register", buildUser(), client);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await postJson(app.baseUrl, "/v1/auth/register", buildUser(), fromNewAddress())).status).toBe(
      201,
    );
  });

  it("when a client probes which emails have accounts, then the probes count too, and past the limit every answer is 429", async () => {
    const existing = await registered();
    const client = fromNewAddress();
    const probe = (email: string) => postJson(app.baseUrl, "/v1/auth/register", buildUser({ email }), client);
    expect((await probe(existing.email)).status).toBe(409);
    expect((await probe(buildUser().email)).status).toBe(201);
    expect((await probe(existing.email)).status).toBe(409);
    // The answer no longer tells a taken address from a free one.
    expect((await probe(existing.email)).status).toBe(429);
    expect((await probe(buildUser().email)).status).toBe(429);
  });

  it("when many registrations from one client arrive at once, then no more than the limit are hashed", async () => {
    const client = fromNewAddress();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => postJson(app.baseUrl, "/v1/auth/register", buildUser(), client)),
    );
    expect(statuses(results)).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
  });
});
