import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey, JWTVerifyGetKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, createJwksVerifier, createTokenVerifier, requireAuth } from "../src/index.js";
import type { TokenVerifier } from "../src/index.js";

/** A real JWKS endpoint on port 0 publishing one Ed25519 key; a second key is never published. */
const ISSUER = "http://issuer.test";
const AUDIENCE = "jobs-api";

let published: { kid: string; privateKey: CryptoKey };
let unpublished: { kid: string; privateKey: CryptoKey };
let server: Server;
let jwksUrl: string;
let fetches = 0;

async function startJwks(): Promise<void> {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  published = { kid: "key-1", privateKey: pair.privateKey };
  unpublished = { kid: "key-x", privateKey: (await generateKeyPair("EdDSA", { crv: "Ed25519" })).privateKey };
  const body = JSON.stringify({
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "EdDSA", use: "sig" }],
  });
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
}

async function stopJwks(): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

interface SignOptions {
  key?: { kid: string; privateKey: CryptoKey };
  issuer?: string;
  audience?: string;
  expiresIn?: number;
  scope?: string;
  /** The JOSE `typ` header; access tokens say "at+jwt" (RFC 9068). */
  typ?: string;
}

function sign(options: SignOptions = {}): Promise<string> {
  const key = options.key ?? published;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: options.scope ?? "jobs:read jobs:write" })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: options.typ ?? "at+jwt" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject("user-1")
    .setJti("jti-1")
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 900))
    .sign(key.privateKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function rejection(verifier: TokenVerifier, token: string): Promise<AppError> {
  const error: unknown = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(startJwks);
afterAll(stopJwks);

describe("createJwksVerifier", () => {
  const verifier = () => createJwksVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });

  it("when the token is valid, then its claims come back", async () => {
    const claims = await verifier().verify(await sign());
    expect(claims).toMatchObject({ sub: "user-1", jti: "jti-1", scopes: ["jobs:read", "jobs:write"] });
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it.each<[string, () => Promise<string>]>([
    ["the audience is wrong", () => sign({ audience: "other-api" })],
    ["the issuer is wrong", () => sign({ issuer: "http://evil.test" })],
    ["the token has expired", () => sign({ expiresIn: -120 })],
    ["the key id is unknown", () => sign({ key: unpublished })],
    ["the token is a JWT of another type (typ JWT, not at+jwt)", () => sign({ typ: "JWT" })],
    ["the token is garbage", () => Promise.resolve("not.a.token")],
  ])("when %s, then 401 invalid_token", async (_case, token) => {
    const error = await rejection(verifier(), await token());
    expect(error.status).toBe(401);
    expect(error.headers["WWW-Authenticate"]).toContain("invalid_token");
  });

  it("when the token uses alg none, then it is rejected", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "u", iss: ISSUER, aud: AUDIENCE, exp: now + 60, jti: "j" })}.`;
    expect((await rejection(verifier(), token)).status).toBe(401);
  });

  it("when the signature is tampered with, then it is rejected", async () => {
    const [header, , signature] = (await sign()).split(".");
    const now = Math.floor(Date.now() / 1000);
    const forged = `${header}.${b64({ sub: "admin", iss: ISSUER, aud: AUDIENCE, exp: now + 60, jti: "j" })}.${signature}`;
    expect((await rejection(verifier(), forged)).status).toBe(401);
  });

  it("when verifying many tokens, then the key set is fetched once, not per request", async () => {
    const v = verifier();
    const before = fetches;
    for (let i = 0; i < 5; i++) await v.verify(await sign());
    expect(fetches - before).toBe(1);
  });
});

describe("createTokenVerifier's memory of verified tokens", () => {
  async function countingKeys(): Promise<{ keys: JWTVerifyGetKey; lookups: () => number }> {
    const response = await fetch(jwksUrl);
    const local = createLocalJWKSet((await response.json()) as Parameters<typeof createLocalJWKSet>[0]);
    let lookups = 0;
    return {
      keys: (header, token) => {
        lookups++;
        return local(header, token);
      },
      lookups: () => lookups,
    };
  }

  it("when the same token comes again, then it is answered without checking the signature again", async () => {
    const { keys, lookups } = await countingKeys();
    const verifier = createTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE });
    const token = await sign();
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toEqual(first);
    expect(lookups()).toBe(1);
  });

  it("when a remembered token expires, then it is refused like any expired token", async () => {
    const { keys } = await countingKeys();
    const verifier = createTokenVerifier({
      keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 0,
    });
    const token = await sign({ expiresIn: 1 });
    const { exp } = await verifier.verify(token);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    expect((await rejection(verifier, token)).status).toBe(401);
  });

  it("when the memory is off, then every call checks the signature", async () => {
    const { keys, lookups } = await countingKeys();
    const verifier = createTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, cacheSize: 0 });
    const token = await sign();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(lookups()).toBe(2);
  });
});

describe("createJwksVerifier while the JWKS endpoint is down", () => {
  it("when keys were cached and the endpoint then closes, then tokens still verify and unknown kids fail", async () => {
    // A tiny cache age forces the verifier past jose's freshness window, where a refetch must be attempted and fails.
    const v = createJwksVerifier({
      jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      cacheMaxAgeMs: 10,
      cooldownMs: 10,
    });
    await v.verify(await sign());
    await stopJwks();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(v.verify(await sign())).resolves.toMatchObject({ sub: "user-1" });
    await expect(v.verify(await sign())).resolves.toMatchObject({ sub: "user-1" });
    expect((await rejection(v, await sign({ key: unpublished }))).status).toBe(401);
  });

  it("when no keys were ever fetched, then 503 rather than 401", async () => {
    const v = createJwksVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE, timeoutMs: 500 });
    expect((await rejection(v, await sign())).status).toBe(503);
  });
});

describe("requireAuth", () => {
  const verifier: TokenVerifier = {
    verify: (token) =>
      token === "good"
        ? Promise.resolve({ sub: "u", jti: "j", exp: 0, scopes: ["jobs:read"] })
        : Promise.reject(AppError.unauthorized("bad", "invalid_token")),
  };

  async function run(header: string | undefined, scopes?: string[]): Promise<unknown> {
    const middleware = requireAuth(verifier, scopes ? { scopes } : {});
    const req = { headers: header === undefined ? {} : { authorization: header } };
    const res = { locals: {} };
    try {
      await new Promise<void>((resolve, reject) => {
        void Promise.resolve(
          middleware(req as never, res as never, () => {
            resolve();
          }),
        ).catch(reject);
      });
      return "next";
    } catch (e) {
      return e;
    }
  }

  it("when no Authorization header is sent, then 401 with a bare Bearer challenge", async () => {
    const error = (await run(undefined)) as AppError;
    expect(error.status).toBe(401);
    expect(error.headers["WWW-Authenticate"]).toBe("Bearer");
  });

  it("when the header is not a bearer credential, then 401", async () => {
    expect(((await run("Basic dTpw")) as AppError).status).toBe(401);
  });

  it("when a scope is missing, then 403", async () => {
    expect(((await run("Bearer good", ["jobs:write"])) as AppError).status).toBe(403);
  });

  it("when the token is good and scopes suffice, then the request proceeds", async () => {
    expect(await run("Bearer good", ["jobs:read"])).toBe("next");
  });
});
