import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";

/** An Ed25519 signing key as app-b takes it in JWT_SIGNING_KEYS, plus the key object to mint tokens with. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM. */
  readonly pem: string;
}

/** The one signing-key helper of the local platform: a fresh Ed25519 key (dev, tests, benchmarks). */
export function newSigningKey(kid = `dev-${randomUUID().slice(0, 8)}`): SigningKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { kid, privateKey, pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** The JWT_SIGNING_KEYS value for `keys` (the first signs, all are published). */
export function signingKeysEnv(keys: readonly SigningKey[]): string {
  return JSON.stringify(keys.map((key) => ({ kid: key.kid, privateKeyPem: key.pem })));
}
