/**
 * Signing material the tests own: app-b runs with this key (JWT_SIGNING_KEYS), so tests can mint tokens that are
 * validly signed but wrong in one claim, and tokens signed by a stranger's key under the same kid.
 */
import type { SigningKey } from "@platform/devkit";
import { SignJWT } from "jose";

export interface Claims {
  readonly sub?: string;
  readonly iss?: string;
  readonly aud?: string;
  readonly scope?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  readonly kid?: string;
}

export const DEFAULT_ISSUER = "http://localhost:3001";
export const DEFAULT_AUDIENCE = "jobs-api";

export async function mintToken(key: SigningKey, claims: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (claims.expiresIn ?? 600);
  return new SignJWT({ scope: claims.scope ?? "jobs:read jobs:write" })
    .setProtectedHeader({ alg: "EdDSA", kid: claims.kid ?? key.kid, typ: "at+jwt" })
    .setSubject(claims.sub ?? "000000000000000000000001")
    .setIssuer(claims.iss ?? DEFAULT_ISSUER)
    .setAudience(claims.aud ?? DEFAULT_AUDIENCE)
    .setIssuedAt(Math.min(now, exp - 60))
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned token (`alg: none`) with otherwise valid claims. */
export function unsignedToken(kid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: "000000000000000000000001",
    iss: DEFAULT_ISSUER,
    aud: DEFAULT_AUDIENCE,
    scope: "jobs:read jobs:write",
    iat: now,
    exp: now + 600,
  };
  return `${b64url({ alg: "none", kid, typ: "JWT" })}.${b64url(payload)}.`;
}

/** A token whose payload was edited after signing (signature no longer matches). */
export function tamperedPayload(token: string, edit: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
  return `${header ?? ""}.${b64url({ ...claims, ...edit })}.${signature ?? ""}`;
}
