/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- rendered manifests and resource inputs are untyped JSON */
/**
 * Rotating the token issuer's signing key (infra/README.md, "Rotating the signing key"): the cloud layer keeps one
 * key per listed id, the active one signs, the others are published; the platform hands the issuer the whole set,
 * signing key first, and a changed set rolls its pods.
 */
import { describe, expect, it } from "vitest";

import { jwkThumbprint } from "../src/platform/program.js";
import { mockEd25519Pem } from "../src/render/mocks.js";
import { runCloudForTest, runForTest } from "./support/platform.js";

const value = <T>(output: { apply: (f: (v: T) => void) => unknown }) =>
  new Promise<T>((resolve) => {
    output.apply(resolve);
  });

describe("the cloud layer's signing keys", () => {
  it("when a second id is listed and made active, then it signs, the first is published for verification, and the first keeps its resource", async () => {
    const run = await runCloudForTest("dev", {
      "gke-cloud:jwtSigningKeyIds": '["1","2"]',
      "gke-cloud:jwtSigningKeyActive": "2",
    });
    expect(
      run
        .all("tls:index/privateKey:PrivateKey")
        .map((k) => k.name)
        .sort(),
    ).toEqual(["jwt-signing-key", "jwt-signing-key-2"]);
    expect(await value<string>(run.outputs.jwtSigningKey)).toBe(mockEd25519Pem("key:jwt-signing-key-2"));
    expect(await value<string[]>(run.outputs.jwtVerificationKeys)).toEqual([
      mockEd25519Pem("key:jwt-signing-key"),
    ]);
  });

  it("when one key is listed (the default), then nothing is published besides it", async () => {
    const run = await runCloudForTest("dev");
    expect(await value<string[]>(run.outputs.jwtVerificationKeys)).toEqual([]);
  });

  it("when the active id is not listed, then the config is refused naming the key", async () => {
    await expect(
      runCloudForTest("dev", { "gke-cloud:jwtSigningKeyIds": '["2"]', "gke-cloud:jwtSigningKeyActive": "1" }),
    ).rejects.toThrow(/jwtSigningKeyActive: "1" is not in jwtSigningKeyIds/);
  });
});

describe("the platform's key set", () => {
  const signing = mockEd25519Pem("rotation:signing");
  const next = mockEd25519Pem("rotation:next");
  const keysOf = (run: Awaited<ReturnType<typeof runForTest>>) =>
    JSON.parse(run.one("kubernetes:core/v1:Secret", "app-b-jwt").stringData.JWT_SIGNING_KEYS) as {
      kid: string;
      privateKeyPem: string;
    }[];
  const kidsAnnotation = (run: Awaited<ReturnType<typeof runForTest>>) =>
    (run.object("Deployment", "app-b").spec.template.metadata.annotations ?? {})[
      "platform.gke-platform/jwt-kids"
    ];

  it("when a next key is published, then the issuer signs with the signing key, publishes both, and its pods roll", async () => {
    const before = await runForTest("local.example", { "gke-platform:jwtSigningKey": signing });
    const during = await runForTest("local.example", {
      "gke-platform:jwtSigningKey": signing,
      "gke-platform:jwtVerificationKeys": JSON.stringify([next]),
    });
    expect(keysOf(before).map((k) => k.kid)).toEqual([jwkThumbprint(signing)]);
    expect(keysOf(during)).toEqual([
      { kid: jwkThumbprint(signing), privateKeyPem: signing },
      { kid: jwkThumbprint(next), privateKeyPem: next },
    ]);
    expect(kidsAnnotation(before)).toBe(jwkThumbprint(signing));
    expect(kidsAnnotation(during)).toBe(`${jwkThumbprint(signing)},${jwkThumbprint(next)}`);
    // The verifier's pods do not roll: they fetch the JWKS.
    expect(during.object("Deployment", "app-a").spec.template.metadata.annotations).toEqual(
      before.object("Deployment", "app-a").spec.template.metadata.annotations,
    );
  });

  it("when the key set changes, then its Secret is updated in place, not replaced (a replaced Secret with a fixed name would replace the issuer's Deployment: every pod at once)", async () => {
    const run = await runForTest("local.example", { "gke-platform:jwtSigningKey": signing });
    // The provider replaces a Secret whose data changes unless Secrets are mutable; the rehearsal on the local
    // cluster (tests/cluster/rehearsals/key-rotation.test.ts) answered 503 for a minute while it did.
    expect(run.one("pulumi:providers:kubernetes", "kubernetes").enableSecretMutable).toBe("true");
    expect(run.object("Deployment", "app-b").spec.template.spec.containers[0].env).toContainEqual({
      name: "JWT_SIGNING_KEYS",
      valueFrom: { secretKeyRef: { name: "app-b-jwt", key: "JWT_SIGNING_KEYS" } },
    });
  });

  it("when a service's connection string changes (external mode), then that service's pods roll, and no other's", async () => {
    const uris = (a: string) =>
      JSON.stringify({ "app-a": a, "app-b": "mongodb://db.internal:27017/auth?password=b" });
    const digest = (run: Awaited<ReturnType<typeof runForTest>>, app: string) =>
      (run.object("Deployment", app).spec.template.metadata.annotations ?? {})[
        "platform.gke-platform/mongodb-uri-sha256"
      ];
    const before = await runForTest("local.example", {
      "gke-platform:mongodbUris": uris("mongodb://db.internal:27017/jobs?password=old"),
    });
    const after = await runForTest("local.example", {
      "gke-platform:mongodbUris": uris("mongodb://db.internal:27017/jobs?password=new"),
    });
    expect(digest(before, "app-a")).toMatch(/^[0-9a-f]{32}$/);
    expect(digest(after, "app-a")).not.toBe(digest(before, "app-a"));
    expect(digest(after, "app-b")).toBe(digest(before, "app-b"));
    expect(JSON.stringify(after.object("Deployment", "app-a"))).not.toContain("password=new");
  });

  it("when a verification key is not an Ed25519 key, then the config is refused without showing it", async () => {
    await expect(
      runForTest("local.example", {
        "gke-platform:jwtVerificationKeys": JSON.stringify([
          "-----BEGIN PRIVATE KEY-----\nsecretstuff\n-----END PRIVATE KEY-----",
        ]),
      }),
    ).rejects.toThrow(/jwtVerificationKeys\[0\]: not a readable private key/);
  });
});
