import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { StartupError } from "@platform/shared";
import { createLocalJWKSet, exportJWK } from "jose";
import type { JSONWebKeySet, JWTVerifyGetKey } from "jose";

export interface SigningKeyInput {
  readonly kid: string;
  readonly privateKeyPem: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

/** The keys this service signs with and publishes. The first key signs; every key verifies (rotation). */
export interface KeyStore {
  readonly current: SigningKey;
  /** Public keys for /.well-known/jwks.json. */
  readonly jwks: JSONWebKeySet;
  /** Resolver over the same public keys, for checking our own tokens without a network hop. */
  readonly verificationKeys: JWTVerifyGetKey;
}

/** Thrown when a configured key cannot be used; the message names the variable and the key id. */
export class SigningKeyError extends StartupError {
  override name = "SigningKeyError";
}

function importKey(input: SigningKeyInput): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: input.privateKeyPem, format: "pem" });
  } catch (cause) {
    throw new SigningKeyError(`JWT_SIGNING_KEYS: key "${input.kid}" is not a readable PEM private key`, {
      cause,
    });
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new SigningKeyError(
      `JWT_SIGNING_KEYS: key "${input.kid}" is ${privateKey.asymmetricKeyType ?? "unknown"}, expected ed25519`,
    );
  }
  return { kid: input.kid, privateKey };
}

export async function createKeyStore(inputs: readonly SigningKeyInput[]): Promise<KeyStore> {
  const keys = inputs.map(importKey);
  const current = keys[0];
  if (current === undefined) throw new SigningKeyError("JWT_SIGNING_KEYS: at least one key is required");
  const jwks: JSONWebKeySet = {
    keys: await Promise.all(
      keys.map(async (key) => ({
        ...(await exportJWK(createPublicKey(key.privateKey))),
        kid: key.kid,
        alg: "EdDSA",
        use: "sig",
      })),
    ),
  };
  return { current, jwks, verificationKeys: createLocalJWKSet(jwks) };
}

/** A fresh Ed25519 key for development, where no keys are configured. Tokens die with the process. */
export function generateDevelopmentKey(): SigningKeyInput {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    kid: `dev-${randomBytes(6).toString("hex")}`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
