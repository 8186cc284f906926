import { randomUUID, sign } from "node:crypto";
import { newSigningKey } from "@platform/devkit";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * An access token with valid-looking claims, signed by a fresh Ed25519 key app-b never published: a forgery that
 * only signature verification against the JWKS can catch.
 */
export function tokenFromUnknownKey(claims: { kid: string; sub: string; iss: string; aud: string }): string {
  const { privateKey } = newSigningKey(claims.kid);
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: "EdDSA", typ: "JWT", kid: claims.kid });
  const payload = b64url({
    sub: claims.sub,
    iss: claims.iss,
    aud: claims.aud,
    scope: "jobs:read jobs:write",
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
  });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), privateKey).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The claims of a JWT, unverified (to copy iss/aud/sub/kid from a real token). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header = "", payload = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>,
  };
}
