import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { buildUser, getJson, postJson, registerAndLogin } from "./support/http.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp("accounts");
});
afterAll(() => app.close());

describe("register", () => {
  it("when the input is valid, then 201 with the user and no password material", async () => {
    const user = buildUser();
    const res = await postJson(app.baseUrl, "/v1/auth/register", user);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), email: user.email, createdAt: expect.any(String) });
    const stored = await app.db.collection("users").findOne({ email: user.email });
    expect(stored?.["passwordHash"]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(stored)).not.toContain(user.password);
  });

  it("when the email differs only in case and spaces, then it is the same account: 409", async () => {
    const user = buildUser({ email: `Dup-${Date.now()}@Example.com` });
    expect((await postJson(app.baseUrl, "/v1/auth/register", user)).status).toBe(201);
    const again = await postJson(app.baseUrl, "/v1/auth/register", {
      ...user,
      email: `  ${user.email.toUpperCase()} `,
    });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("when two registrations for one email race, then exactly one wins", async () => {
    const user = buildUser();
    const results = await Promise.all([1, 2, 3].map(() => postJson(app.baseUrl, "/v1/auth/register", user)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it.each([
    ["too short", "short pass"],
    ["too long", "x".repeat(129)],
    ["only spaces", " ".repeat(20)],
  ])("when the password is %s, then 400 naming the field", async (_case, password) => {
    const res = await postJson(app.baseUrl, "/v1/auth/register", buildUser({ password }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "body.password" })]),
    );
  });

  it.each(["qwerty123456", "1Q2W3E4R5T6Y", "  leavemealone  "])(
    "when the password %j is one of the most common passwords, then 400 saying so",
    async (password) => {
      const res = await postJson(app.baseUrl, "/v1/auth/register", buildUser({ password }));
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        { path: "body.password", message: expect.stringMatching(/common password/) },
      ]);
    },
  );

  it("when the email is not an email, then 400", async () => {
    expect((await postJson(app.baseUrl, "/v1/auth/register", buildUser({ email: "nope" }))).status).toBe(400);
  });
});

describe("login and me", () => {
  it("when the password is right, then a Bearer pair that /me accepts", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const me = await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${session.accessToken}` });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: session.id, email: session.user.email });
  });

  it("when logging in, then the response has the contract's shape and is not cacheable", async () => {
    const user = buildUser();
    await postJson(app.baseUrl, "/v1/auth/register", user);
    const res = await postJson(app.baseUrl, "/v1/auth/login", { ...user, email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("when /me is called without or with a bad token, then 401 with a Bearer challenge", async () => {
    const none = await getJson(app.baseUrl, "/v1/auth/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const bad = await getJson(app.baseUrl, "/v1/auth/me", { authorization: "Bearer not.a.jwt" });
    expect(bad.status).toBe(401);
  });

  it("when the user is unknown or the password wrong, then the answers are identical", async () => {
    const user = buildUser();
    await postJson(app.baseUrl, "/v1/auth/register", user);
    const wrong = await postJson(app.baseUrl, "/v1/auth/login", { ...user, password: "wrong password 123" });
    const unknown = await postJson(app.baseUrl, "/v1/auth/login", buildUser());
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const comparable = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(comparable(unknown.body as Record<string, unknown>)).toEqual(
      comparable(wrong.body as Record<string, unknown>),
    );
    expect(unknown.headers.get("www-authenticate")).toBe(wrong.headers.get("www-authenticate"));
  });

  it("when the user is unknown, then the response takes about as long as a wrong password (a hash is computed)", async () => {
    const user = buildUser();
    await postJson(app.baseUrl, "/v1/auth/register", user);
    const time = async (body: unknown) => {
      const started = performance.now();
      await postJson(app.baseUrl, "/v1/auth/login", body);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      wrong.push(await time({ ...user, password: `wrong password ${i}` }));
      unknown.push(await time(buildUser()));
    }
    // Without the dummy hash an unknown user costs one indexed lookup (~1 ms) against tens of ms for Argon2id.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
  });
});

describe("deleting one's own account", () => {
  const deleteMe = (accessToken: string | undefined, body: unknown) =>
    fetch(`${app.baseUrl}/v1/auth/me`, {
      method: "DELETE",
      headers: {
        "content-type": "application/json",
        ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }),
      },
      body: JSON.stringify(body),
    });

  it("when the owner deletes it with their access token and password, then 204, and nothing of it works any more", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const other = await postJson(app.baseUrl, "/v1/auth/login", session.user);
    const res = await deleteMe(session.accessToken, { password: session.user.password });
    expect(res.status).toBe(204);
    const me = await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${session.accessToken}` });
    expect(me.status).toBe(401);
    expect((await postJson(app.baseUrl, "/v1/auth/login", session.user)).status).toBe(401);
    // Every session of the account ends, not only the one whose token asked.
    for (const refreshToken of [session.refreshToken, other.body.refreshToken as string]) {
      expect((await postJson(app.baseUrl, "/v1/auth/refresh", { refreshToken })).status).toBe(401);
    }
    expect(await app.db.collection("users").countDocuments({ email: session.user.email })).toBe(0);
    // The address is free again.
    expect((await postJson(app.baseUrl, "/v1/auth/register", session.user)).status).toBe(201);
  });

  it("when the password is wrong, then 403 and the account stays", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const res = await deleteMe(session.accessToken, { password: "not my password at all" });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect((await postJson(app.baseUrl, "/v1/auth/login", session.user)).status).toBe(200);
  });

  it.each([
    ["no access token", undefined, { password: "whatever it is" }, 401],
    ["no password", "valid", {}, 400],
    ["an unknown field", "valid", { password: "p", email: "x@example.com" }, 400],
  ] as const)(
    "when the request has %s, then it is refused and the account stays",
    async (_case, token, body, status) => {
      const session = await registerAndLogin(app.baseUrl);
      const res = await deleteMe(token === undefined ? undefined : session.accessToken, body);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect((await postJson(app.baseUrl, "/v1/auth/login", session.user)).status).toBe(200);
    },
  );
});
