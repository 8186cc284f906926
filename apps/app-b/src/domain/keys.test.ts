import { generateKeyPairSync } from "node:crypto";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createKeyStore, generateDevelopmentKey, SigningKeyError } from "./keys.js";
import type { KeyStore } from "./keys.js";
import { issueAccessToken } from "./tokens.js";

const settings = { issuer: "http://iss", audience: "aud", ttlSeconds: 900 };

describe("createKeyStore", () => {
  it("when given two keys, then the first signs and both are published without private parts", async () => {
    const store = await createKeyStore([generateDevelopmentKey(), generateDevelopmentKey()]);
    expect(store.jwks.keys).toHaveLength(2);
    expect(store.jwks.keys[0]?.kid).toBe(store.current.kid);
    expect(store.jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it("when a token is issued, then it carries the contract's claims and verifies against the JWKS", async () => {
    const store = await createKeyStore([generateDevelopmentKey()]);
    const now = new Date();
    const token = await issueAccessToken(
      store,
      settings,
      { userId: "u1", scopes: ["jobs:read", "jobs:write"] },
      now,
    );
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(store.jwks), {
      issuer: "http://iss",
      audience: "aud",
    });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: store.current.kid });
    expect(payload).toMatchObject({ sub: "u1", scope: "jobs:read jobs:write", jti: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it("when a key is not Ed25519, then the error names the variable and the kid", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await expect(createKeyStore([{ kid: "rsa-1", privateKeyPem: pem }])).rejects.toThrow(
      new SigningKeyError('JWT_SIGNING_KEYS: key "rsa-1" is rsa, expected ed25519'),
    );
  });

  it("when a key is not a PEM, then the error names the variable", async () => {
    await expect(
      createKeyStore([{ kid: "k", privateKeyPem: "-----BEGIN PRIVATE KEY-----\nnope" }]),
    ).rejects.toThrow(/JWT_SIGNING_KEYS: key "k"/);
  });

  it("when keys rotate in three deploys, then the next key is published before it signs and the old one verifies until removed", async () => {
    const [old, next] = [generateDevelopmentKey(), generateDevelopmentKey()];
    const phases = {
      before: await createKeyStore([old]),
      published: await createKeyStore([old, next]),
      signing: await createKeyStore([next, old]),
      retired: await createKeyStore([next]),
    };
    const kids = (store: KeyStore) => store.jwks.keys.map((k) => k.kid);
    expect(kids(phases.published)).toEqual([old.kid, next.kid]);
    expect(phases.published.current.kid).toBe(old.kid);
    expect(phases.signing.current.kid).toBe(next.kid);
    // A token signed before the switch still verifies after it, until its key leaves the set.
    const now = new Date();
    const subject = { userId: "u1", scopes: ["jobs:read"] };
    const signedByOld = await issueAccessToken(phases.published, settings, subject, now);
    const verifies = (store: KeyStore, token: string) =>
      jwtVerify(token, store.verificationKeys, { issuer: "http://iss", audience: "aud" }).then(
        () => true,
        () => false,
      );
    expect(await verifies(phases.signing, signedByOld)).toBe(true);
    expect(await verifies(phases.retired, signedByOld)).toBe(false);
    // And a token of the new key verifies at every verifier that has the published set.
    const signedByNext = await issueAccessToken(phases.signing, settings, subject, now);
    expect(await verifies(phases.published, signedByNext)).toBe(true);
  });
});
