import { createJwksVerifier } from "@platform/shared";
import { createPrivateKey } from "node:crypto";
import { decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDevelopmentKey } from "../src/domain/keys.js";
import { startTestApp, TEST_AUDIENCE, TEST_ISSUER } from "./support/app.js";
import type { TestApp } from "./support/app.js";
import { getJson, registerAndLogin } from "./support/http.js";

/** Two configured keys, as during a rotation: "new" signs, "old" is still published for tokens it signed. */
const signing = { ...generateDevelopmentKey(), kid: "key-new" };
const retiring = { ...generateDevelopmentKey(), kid: "key-old" };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp("keys", { signingKeys: [signing, retiring] });
});
afterAll(() => app.close());

describe("JWKS", () => {
  it("when fetched, then every configured public key is published, cacheable, without private parts", async () => {
    const res = await getJson(app.baseUrl, "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect((res.body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(["key-new", "key-old"]);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key.d).toBeUndefined();
    }
  });

  it("when a token is issued, then it is signed by the first key and verifies against the published JWKS", async () => {
    const session = await registerAndLogin(app.baseUrl);
    expect(decodeProtectedHeader(session.accessToken)).toEqual({
      alg: "EdDSA",
      kid: "key-new",
      typ: "at+jwt",
    });
    const verifier = createJwksVerifier({
      jwksUrl: `${app.baseUrl}/.well-known/jwks.json`,
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
    });
    const claims = await verifier.verify(session.accessToken);
    expect(claims).toMatchObject({ sub: session.id, scopes: ["jobs:read", "jobs:write"] });
    expect(claims.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(800);
  });

  it("when a token was signed by the older, still-published key, then /me accepts it", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: "jobs:read" })
      .setProtectedHeader({ alg: "EdDSA", kid: "key-old", typ: "at+jwt" })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject(session.id)
      .setJti("j")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(createPrivateKey(retiring.privateKeyPem));
    expect((await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${token}` })).status).toBe(
      200,
    );
  });

  it("when a token is signed by a key that is not published, then /me answers 401", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ scope: "jobs:read jobs:write" })
      .setProtectedHeader({ alg: "EdDSA", kid: "key-new" })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject(session.id)
      .setJti("j")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect((await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${forged}` })).status).toBe(
      401,
    );
  });

  it.each([
    ["typ JWT", { typ: "JWT" }],
    ["no typ", {}],
    ["typ of an ID token-like JWT", { typ: "id_token+jwt" }],
  ])(
    "when a token signed by our own key is not an access token (%s), then /me answers 401",
    async (_case, typ) => {
      const session = await registerAndLogin(app.baseUrl);
      const now = Math.floor(Date.now() / 1000);
      const other = await new SignJWT({ scope: "jobs:read jobs:write" })
        .setProtectedHeader({ alg: "EdDSA", kid: "key-new", ...typ })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setSubject(session.id)
        .setJti("j")
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(createPrivateKey(signing.privateKeyPem));
      const me = await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${other}` });
      expect(me.status).toBe(401);
      expect(me.headers.get("www-authenticate")).toContain("invalid_token");
    },
  );
});
