import { createHmac, createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProblem, request } from "../src/http.js";
import type { HttpResult, RequestOptions } from "../src/http.js";
import { startPlatform, createJob, newUser } from "../src/platform.js";
import type { Platform, User } from "../src/platform.js";
import { rawRequest } from "../src/raw.js";
import { newSigningKey } from "@platform/devkit";
import { mintToken, tamperedPayload, unsignedToken } from "../src/tokens.js";

let platform: Platform;
let user: User;
let jobId: string;
let a: string; // app-a base URL
let b: string; // app-b base URL

beforeAll(async () => {
  platform = await startPlatform();
  a = platform.appA[0]!.url;
  b = platform.appB[0]!.url;
  user = await newUser(b);
  jobId = await createJob(a, user.accessToken);
});

afterAll(async () => {
  await (platform as Platform | undefined)?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const send = (url: string, options: RequestOptions = {}): Promise<HttpResult> => request(url, options);

/** A rejection a client can act on: 4xx with an RFC 9457 body. */
function expectClientError(res: HttpResult, allowed: number[]): void {
  expect(allowed, `${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
  expect(isProblem(res, res.status), res.body.slice(0, 200)).toBe(true);
}

describe("oversized and deeply nested bodies", () => {
  it("when a body exceeds BODY_LIMIT, then both services answer 413", async () => {
    const big = JSON.stringify({ title: "x", description: "d".repeat(200 * 1024) });
    expectClientError(
      await send(`${a}/v1/jobs`, { method: "POST", headers: bearer(user.accessToken), body: big }),
      [413],
    );
    const login = JSON.stringify({ email: "a@b.co", password: "p".repeat(1024 * 1024) });
    expectClientError(await send(`${b}/v1/auth/login`, { method: "POST", body: login }), [413]);
  });

  it("when JSON is nested tens of thousands of levels deep, then it is a 400, not a crash", async () => {
    const depth = 40_000;
    const deep = "[".repeat(depth) + "]".repeat(depth);
    expectClientError(
      await send(`${a}/v1/jobs`, { method: "POST", headers: bearer(user.accessToken), body: deep }),
      [400],
    );
    const deepObject = `{"email":${'{"a":'.repeat(5000)}1${"}".repeat(5000)},"password":"x"}`;
    expectClientError(await send(`${b}/v1/auth/login`, { method: "POST", body: deepObject }), [400]);
    expect((await send(`${a}/healthz`)).status).toBe(200);
  });
});

describe("MongoDB operators in every input position", () => {
  const op = { $ne: null };
  it("when auth bodies carry operators, then app-b rejects them with 400", async () => {
    for (const [path, body] of [
      ["/v1/auth/login", { email: op, password: op }],
      ["/v1/auth/login", { email: user.email, password: { $gt: "" } }],
      ["/v1/auth/register", { email: { $gt: "" }, password: "long-enough-password" }],
      ["/v1/auth/refresh", { refreshToken: { $ne: "" } }],
      ["/v1/auth/logout", { refreshToken: { $regex: ".*" } }],
    ] as const) {
      expectClientError(
        await send(`${b}${path}`, { method: "POST", body: JSON.stringify(body) }),
        [400, 401],
      );
    }
  });

  it("when job fields, ids, query parameters and headers carry operators, then app-a answers 4xx", async () => {
    const auth = bearer(user.accessToken);
    const post = (body: unknown) =>
      send(`${a}/v1/jobs`, { method: "POST", headers: auth, body: JSON.stringify(body) });
    expectClientError(
      await post({ title: { $gt: "" }, company: "c", location: "l", description: "d" }),
      [400],
    );
    expectClientError(
      await post({ title: "t", company: "c", location: "l", description: "d", status: op }),
      [400],
    );
    expectClientError(await post({ $where: "sleep(1000)" }), [400]);
    const enc = encodeURIComponent(JSON.stringify(op));
    expectClientError(await send(`${a}/v1/jobs/${enc}`, { headers: auth }), [400, 404]);
    expectClientError(await send(`${a}/v1/jobs/${enc}`, { method: "DELETE", headers: auth }), [400, 404]);
    expectClientError(await send(`${a}/v1/jobs?status=${enc}`, { headers: auth }), [400]);
    expectClientError(
      await send(`${a}/v1/jobs?cursor=${encodeURIComponent('{"$gt":""}')}`, { headers: auth }),
      [400],
    );
    for (const query of ["status[$ne]=draft", "limit[$gt]=0", "ownerId[$ne]=x"]) {
      const res = await send(`${a}/v1/jobs?${query}`, { headers: auth });
      expect(res.status, `${query}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      if (res.status === 200) {
        // Tolerated only if the operator was ignored: the list stays scoped to this user's visible jobs.
        expect(res.body).not.toContain("$ne");
      }
    }
    const patch = (body: unknown, ifMatch = '"1"') =>
      send(`${a}/v1/jobs/${jobId}`, {
        method: "PATCH",
        headers: { ...auth, "if-match": ifMatch },
        body: JSON.stringify(body),
      });
    expectClientError(await patch({ $set: { ownerId: "someone-else" } }), [400]);
    expectClientError(await patch({ title: { $set: "x" } }), [400]);
    expectClientError(await patch({ title: "ok" }, JSON.stringify(op)), [400, 412, 428]);
    expectClientError(await send(`${a}/v1/jobs/${jobId}`, { headers: bearer(JSON.stringify(op)) }), [401]);
  });
});

describe("invalid encodings and header abuse", () => {
  it("when a body is not valid UTF-8, then it is a 400", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"title":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expectClientError(
      await send(`${a}/v1/jobs`, { method: "POST", headers: bearer(user.accessToken), body: bytes }),
      [400],
    );
    const login = Buffer.concat([
      Buffer.from('{"email":"'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('@x.io","password":"p"}'),
    ]);
    expectClientError(await send(`${b}/v1/auth/login`, { method: "POST", body: login }), [400]);
  });

  it("when the content type is wrong or hostile, then the body is refused with 4xx", async () => {
    const body = JSON.stringify({ email: user.email, password: user.password });
    for (const type of [
      "text/plain",
      "application/json; charset=utf-16",
      "application/x-www-form-urlencoded",
    ]) {
      const res = await send(`${b}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      expect([400, 415], `${type}: ${res.status}`).toContain(res.status);
    }
  });

  it("when headers are huge, duplicated or malformed, then the answer is 4xx and the service stays up", async () => {
    const huge = await send(`${a}/healthz`, { headers: { "x-filler": "a".repeat(20_000) } });
    expect(huge.status).toBe(431);
    const dupLength =
      "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}";
    expect(await rawRequest(b, dupLength)).toMatch(/^HTTP\/1\.1 400/);
    const smuggle =
      "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    expect(await rawRequest(b, smuggle)).toMatch(/^HTTP\/1\.1 400/);
    for (const authorization of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer " + "a".repeat(8000),
      "bearer  x.y.z",
    ]) {
      expectClientError(await send(`${a}/v1/jobs/${jobId}`, { headers: { authorization } }), [401]);
    }
    const odd = await send(`${b}/v1/auth/login`, {
      method: "POST",
      headers: { "x-forwarded-for": "not-an-ip, , 999.1.1.1", "x-request-id": "r".repeat(5000) },
      body: JSON.stringify({ email: "nobody@example.com", password: "wrong-password" }),
    });
    expect(odd.status).toBe(401);
    expect((await send(`${a}/healthz`)).status).toBe(200);
    expect((await send(`${b}/healthz`)).status).toBe(200);
  });
});

describe("token tampering", () => {
  it("when a token is validly minted with the service's key, then it is accepted (control)", async () => {
    const res = await send(`${a}/v1/jobs/${jobId}`, { headers: bearer(await mintToken(platform.key)) });
    expect(res.status).toBe(200);
  });

  it("when a token is unsigned, foreign, expired, for another audience or issuer, or edited, then it gets 401", async () => {
    const key = platform.key;
    const stranger = newSigningKey(key.kid); // same kid, different key
    const [header, payload] = user.accessToken.split(".");
    // Algorithm confusion: HMAC keyed with the public key a verifier might hand to a generic verify().
    const publicPem = createPublicKey(key.privateKey).export({ type: "spki", format: "pem" }).toString();
    const hs256Header = Buffer.from(JSON.stringify({ alg: "HS256", kid: key.kid, typ: "JWT" })).toString(
      "base64url",
    );
    const confused = `${hs256Header}.${payload ?? ""}`;
    const confusedSig = createHmac("sha256", publicPem).update(confused).digest("base64url");
    const cases: [string, string][] = [
      ["alg none", unsignedToken(key.kid)],
      ["alg none (real payload)", `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload ?? ""}.`],
      ["wrong key", await mintToken(stranger)],
      ["unknown kid", await mintToken(newSigningKey("nobody-knows-me"))],
      ["expired", await mintToken(key, { expiresIn: -120 })],
      ["wrong audience", await mintToken(key, { aud: "some-other-api" })],
      ["wrong issuer", await mintToken(key, { iss: "https://evil.example" })],
      ["edited payload", tamperedPayload(user.accessToken, { sub: "000000000000000000000099" })],
      ["HS256 confusion", `${confused}.${confusedSig}`],
      ["truncated", `${header ?? ""}.${payload ?? ""}`],
    ];
    for (const [name, token] of cases) {
      const res = await send(`${a}/v1/jobs/${jobId}`, { headers: bearer(token) });
      expect(res.status, `${name}: ${res.status} ${res.body.slice(0, 200)}`).toBe(401);
      expect(isProblem(res, 401), name).toBe(true);
    }
  });

  it("when a read-only token writes, then it gets 403", async () => {
    const readOnly = await mintToken(platform.key, { scope: "jobs:read" });
    const res = await send(`${a}/v1/jobs`, {
      method: "POST",
      headers: bearer(readOnly),
      body: JSON.stringify({ title: "t", company: "c", location: "l", description: "d" }),
    });
    expectClientError(res, [403]);
  });
});

// Last in the file: the per-address limit also throttles this client's later logins.
describe("login brute force", () => {
  it("when one account gets more than LOGIN_MAX_ATTEMPTS wrong passwords, then further attempts get 429", async () => {
    const victim = await newUser(b);
    const attempt = (password: string) =>
      send(`${b}/v1/auth/login`, { method: "POST", body: JSON.stringify({ email: victim.email, password }) });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(`wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await attempt("wrong-again");
    expectClientError(locked, [429]);
    expect(locked.headers["retry-after"]).toBeDefined();
    // The right password does not get through during the lock-out either, or guessing would still pay off.
    expect((await attempt(victim.password)).status).toBe(429);
  });

  it("when one address sprays many accounts, then the per-address limit answers 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await send(`${b}/v1/auth/login`, {
        method: "POST",
        body: JSON.stringify({ email: `spray-${i}@example.com`, password: "Winter2025!" }),
      });
      statuses.push(res.status);
      if (res.status === 429) break;
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(51);
  });
});
