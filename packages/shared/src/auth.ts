import type { RequestHandler, Response } from "express";
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, jwksCache } from "jose";
import type { ExportedJWKSCache, JWTVerifyGetKey } from "jose";
import { AppError } from "./errors.js";

/** What a verified access token says about its caller. */
export interface AccessClaims {
  /** The user id. */
  readonly sub: string;
  readonly scopes: string[];
  readonly jti: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export interface JwksVerifierOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Refetch keys older than this in the normal course (default 10 min). */
  readonly cacheMaxAgeMs?: number;
  /** Minimum time between refetches triggered by unknown kids, so forged kids cannot hammer the issuer (30 s). */
  readonly cooldownMs?: number;
  /** Per-fetch timeout (default 2 s). */
  readonly timeoutMs?: number;
  /** Allowed clock skew in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  /** Resolves with the claims, or rejects with a 401 AppError (503 when no keys could ever be fetched). */
  verify(token: string): Promise<AccessClaims>;
}

/**
 * The JOSE `typ` of an access token (RFC 9068 section 4; jose compares it case-insensitively and also accepts
 * "application/at+jwt"). Requiring it means no other JWT signed by the same key (an ID token, a signed request, a
 * token minted by some other tool) is ever taken for an access token.
 */
export const ACCESS_TOKEN_TYPE = "at+jwt";

/** Errors that mean "this token's key is not in the set", as opposed to "the set could not be fetched". */
function isKeySelectionError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}

class JwksUnavailable extends Error {}

/**
 * Keys from jose's remote JWKS set (cached, refetched on unknown kid subject to a cooldown), wrapped so that once
 * keys have been fetched they keep verifying while the issuer is unreachable: jose alone would fail every request
 * once its cache is older than cacheMaxAge and the refetch fails.
 */
function resilientKeySet(options: JwksVerifierOptions): JWTVerifyGetKey {
  const cooldownMs = options.cooldownMs ?? 30_000;
  // jose writes { uat, jwks } here after every successful fetch: our copy of the last good key set.
  const cache: Partial<ExportedJWKSCache> = {};
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    cooldownDuration: cooldownMs,
    timeoutDuration: options.timeoutMs ?? 2000,
    [jwksCache]: cache as Record<string, never>,
  });
  let fallback: { uat: number; keys: JWTVerifyGetKey } | undefined;
  let skipRemoteUntil = 0;

  const lastGood = (): JWTVerifyGetKey | undefined => {
    const { uat, jwks } = cache;
    if (uat === undefined || jwks === undefined) return fallback?.keys;
    if (fallback?.uat !== uat) fallback = { uat, keys: createLocalJWKSet(jwks) };
    return fallback.keys;
  };

  return async (header, token) => {
    const cached = lastGood();
    // While the issuer is known to be down, do not make every request wait for a fetch timeout.
    if (cached && Date.now() < skipRemoteUntil) return cached(header, token);
    try {
      return await remote(header, token);
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      if (!cached) throw new JwksUnavailable("signing keys could not be fetched", { cause: error });
      skipRemoteUntil = Date.now() + cooldownMs;
      return cached(header, token);
    }
  };
}

export interface TokenVerifierOptions {
  /** A key resolver (jose's createLocalJWKSet/createRemoteJWKSet result or equivalent). */
  readonly keys: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
  /** Allowed clock skew in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  /**
   * How many verified tokens to remember (default 10,000; 0 turns it off). A client sends the same token on every
   * request until it expires, and the Ed25519 check was the largest single cost of an authenticated read
   * (docs/benchmarks.md). A remembered token is answered until its own `exp`, never longer; access tokens cannot be
   * revoked before expiry anyway, so the answer is the same one a fresh check would give.
   */
  readonly cacheSize?: number;
}

/** Verified claims by token string, oldest first, bounded; entries die at the token's expiry. */
class VerifiedTokens {
  private readonly entries = new Map<string, AccessClaims>();
  constructor(private readonly capacity: number) {}

  get(token: string): AccessClaims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp * 1000 <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessClaims): void {
    if (this.capacity <= 0) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(token, claims);
  }
}

/**
 * Verifies EdDSA access tokens against a key resolver: the one place that decides what a valid access token is.
 * app-a uses it through createJwksVerifier; app-b passes its own public keys to check tokens it issued.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const verified = new VerifiedTokens(options.cacheSize ?? 10_000);
  return {
    verify: async (token) => {
      const known = verified.get(token);
      if (known !== undefined) return known;
      try {
        const { payload } = await jwtVerify(token, options.keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ["EdDSA"],
          typ: ACCESS_TOKEN_TYPE,
          requiredClaims: ["sub", "exp", "jti"],
          clockTolerance: options.clockToleranceSeconds ?? 30,
        });
        const scope = typeof payload.scope === "string" ? payload.scope : "";
        if (
          typeof payload.sub !== "string" ||
          typeof payload.jti !== "string" ||
          typeof payload.exp !== "number"
        ) {
          throw AppError.unauthorized("The access token lacks required claims.", "invalid_token");
        }
        const claims: AccessClaims = {
          sub: payload.sub,
          jti: payload.jti,
          exp: payload.exp,
          scopes: scope.split(" ").filter(Boolean),
        };
        verified.set(token, claims);
        return claims;
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof JwksUnavailable) {
          throw AppError.serviceUnavailable(5, "Token signing keys are temporarily unavailable.");
        }
        throw AppError.unauthorized(describe(error), "invalid_token");
      }
    },
  };
}

/** Verifies EdDSA access tokens locally against the issuer's published keys (fetched once, cached). */
export function createJwksVerifier(options: JwksVerifierOptions): TokenVerifier {
  return createTokenVerifier({
    keys: resilientKeySet(options),
    issuer: options.issuer,
    audience: options.audience,
    ...(options.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: options.clockToleranceSeconds }),
  });
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The access token has expired.";
  if (error instanceof errors.JWKSNoMatchingKey) return "The access token was signed by an unknown key.";
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "typ")
    return "The token is not an access token (its typ header must be at+jwt).";
  return "The access token is invalid.";
}

const AUTH = Symbol("auth");

export interface RequireAuthOptions {
  /** Every one of these scopes must be granted. */
  readonly scopes?: readonly string[];
}

/** Parses "Bearer <token>"; undefined when the header is absent or not a bearer credential. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return match?.[1];
}

/** Middleware: a valid bearer token with the required scopes, else 401/403. Claims via authOf(res). */
export function requireAuth(verifier: TokenVerifier, options: RequireAuthOptions = {}): RequestHandler {
  const required = options.scopes ?? [];
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) throw AppError.unauthorized("An access token is required.");
    const token = bearerToken(header);
    if (token === undefined) {
      throw AppError.unauthorized("The Authorization header must be 'Bearer <token>'.", "invalid_request");
    }
    const claims = await verifier.verify(token);
    const missing = required.filter((scope) => !claims.scopes.includes(scope));
    if (missing.length > 0) {
      throw AppError.forbidden(
        `The access token lacks the scope(s): ${missing.join(" ")}.`,
        required.join(" "),
      );
    }
    (res.locals as Record<symbol, unknown>)[AUTH] = claims;
    next();
  };
}

/** The claims requireAuth verified for this request. Throws if requireAuth did not run (a wiring bug). */
export function authOf(res: Response): AccessClaims {
  const claims = (res.locals as Record<symbol, unknown>)[AUTH] as AccessClaims | undefined;
  if (claims === undefined) throw new Error("authOf() called on a route without requireAuth");
  return claims;
}
