import { createHash, randomBytes, randomUUID } from "node:crypto";
import { ACCESS_TOKEN_TYPE } from "@platform/shared";
import { SignJWT } from "jose";
import type { KeyStore } from "./keys.js";

export interface AccessTokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** What login and refresh hand back. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: "Bearer";
  /** Access token lifetime in seconds. */
  readonly expiresIn: number;
}

export interface AccessTokenSubject {
  readonly userId: string;
  readonly scopes: readonly string[];
}

/** A short-lived EdDSA JWT (RFC 9068 shape) that resource servers verify locally against our JWKS. */
export function issueAccessToken(
  keys: KeyStore,
  settings: AccessTokenSettings,
  subject: AccessTokenSubject,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ scope: subject.scopes.join(" ") })
    .setProtectedHeader({ alg: "EdDSA", kid: keys.current.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(subject.userId)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + settings.ttlSeconds)
    .sign(keys.current.privateKey);
}

/** 256 random bits, URL-safe. Opaque to clients; only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Refresh tokens are looked up by their SHA-256. A plain hash suffices (no salt, no KDF) because the token has 256
 * bits of entropy: nothing to brute-force, and a database leak does not yield usable tokens.
 */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The shape of tokens we issue; anything else cannot be ours and is rejected before a database lookup. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
