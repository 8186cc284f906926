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

/** A token for `subject` with the claims app-b issues, signed with `key` under the given protected header. */
function signToken(
  subject: string,
  scope: string,
  header: Record<string, string>,
  key: Parameters<SignJWT["sign"]>[0],
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: "EdDSA", ...header })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setSubject(subject)
    .setJti("j")
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

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
    const token = await signToken(
      session.id,
      "jobs:read",
      { kid: "key-old", typ: "at+jwt" },
      createPrivateKey(retiring.privateKeyPem),
    );
    expect((await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${token}` })).status).toBe(
      200,
    );
  });

  it("when a token is signed by a key that is not published, then /me answers 401", async () => {
    const session = await registerAndLogin(app.baseUrl);
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await signToken(session.id, "jobs:read jobs:write", { kid: "key-new" }, privateKey);
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
      const other = await signToken(
        session.id,
        "jobs:read jobs:write",
        { kid: "key-new", ...typ },
        createPrivateKey(signing.privateKeyPem),
      );
      const me = await getJson(app.baseUrl, "/v1/auth/me", { authorization: `Bearer ${other}` });
      expect(me.status).toBe(401);
      expect(me.headers.get("www-authenticate")).toContain("invalid_token");
    },
  );
});
