import { randomUUID } from "node:crypto";
import { AppError } from "@platform/shared";
import type { Logger } from "@platform/shared";
import type { RefreshFamiliesRepository, RefreshFamilyRecord } from "../data/refresh-families-repository.js";
import type { RefreshTokensRepository } from "../data/refresh-tokens-repository.js";
import type { UsersRepository } from "../data/users-repository.js";
import type { KeyStore } from "./keys.js";
import { hashRefreshToken, issueAccessToken, newRefreshToken, REFRESH_TOKEN_PATTERN } from "./tokens.js";
import type { AccessTokenSettings, TokenPair } from "./tokens.js";
import type { User } from "./user.js";

export interface SessionsDeps {
  readonly keys: KeyStore;
  readonly accessTokens: AccessTokenSettings;
  readonly refreshTokenTtlSeconds: number;
  /** Absolute lifetime of a login (a refresh-token family), however often it is refreshed. */
  readonly sessionMaxAgeSeconds: number;
  readonly refreshTokens: RefreshTokensRepository;
  readonly families: RefreshFamiliesRepository;
  readonly users: UsersRepository;
  readonly logger: Logger;
  readonly now: () => Date;
}

const invalidRefreshToken = () =>
  AppError.unauthorized("The refresh token is invalid, expired or revoked.", "invalid_token");

/**
 * Token pairs: issuing them at login, rotating refresh tokens, detecting reuse, revoking at logout. Each login
 * starts a family (refresh_families) that ends SESSION_MAX_AGE_SECONDS later; the family's state is what every
 * exchange checks, so a revoked or ended family honours none of its tokens, whatever the order of events.
 */
export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /** A new login: a new family and its first token pair. */
  async issueTokenPair(user: Pick<User, "id" | "scopes">): Promise<TokenPair> {
    const now = this.deps.now();
    const family: RefreshFamilyRecord = {
      _id: randomUUID(),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.sessionMaxAgeSeconds * 1000),
      revokedAt: null,
    };
    await this.deps.families.insert(family);
    return this.pair(user, await this.addRefreshToken(family, now), now);
  }

  /**
   * Exchanges a refresh token for a new pair in the same family. A token that was already exchanged is being
   * replayed — by an attacker who stole it, or by the victim after the attacker used it first — so the whole
   * family is revoked and both parties must log in again (OAuth 2.0 Security BCP, refresh token rotation).
   */
  async rotateRefreshToken(token: string): Promise<TokenPair> {
    if (!REFRESH_TOKEN_PATTERN.test(token)) throw invalidRefreshToken();
    const now = this.deps.now();
    const tokenHash = hashRefreshToken(token);
    const known = await this.deps.refreshTokens.findByHash(tokenHash);
    if (!known) throw invalidRefreshToken();
    // A token of a revoked or ended family, or a revoked or expired token, is dead: refused, and not reuse.
    const family = await this.deps.families.findLive(known.familyId, now);
    if (!family || known.revokedAt !== null || known.expiresAt <= now) throw invalidRefreshToken();
    const consumed = await this.deps.refreshTokens.consume(tokenHash, now);
    if (!consumed) {
      await this.revokeIfReused(tokenHash, now);
      throw invalidRefreshToken();
    }
    const user = await this.deps.users.findById(consumed.userId);
    if (!user) throw invalidRefreshToken();
    const refreshToken = await this.addRefreshToken(family, now);
    // A revocation that ran while the token above was being inserted may have missed it: the family decides.
    if (!(await this.deps.families.findLive(family._id, now))) {
      await this.deps.refreshTokens.revokeFamily(family._id, now);
      throw invalidRefreshToken();
    }
    return this.pair(user, refreshToken, now);
  }

  /** Revokes the token's whole family. Unknown tokens are ignored: logout is idempotent and reveals nothing. */
  async logout(token: string): Promise<void> {
    if (!REFRESH_TOKEN_PATTERN.test(token)) return;
    const known = await this.deps.refreshTokens.findByHash(hashRefreshToken(token));
    if (known) await this.revokeFamily(known.familyId, this.deps.now());
  }

  /** Ends every session of the user (account deletion): families first, as in revokeFamily. */
  async endAllSessions(userId: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.families.revokeAllOfUser(userId, now);
    await this.deps.refreshTokens.revokeAllOfUser(userId, now);
  }

  /** The family first (it is what exchanges check), then its tokens (so each says so itself). */
  private async revokeFamily(familyId: string, now: Date): Promise<number> {
    await this.deps.families.revoke(familyId, now);
    return this.deps.refreshTokens.revokeFamily(familyId, now);
  }

  /** The exchange lost: if the token was live and exchanged before, this is a replay, and the family goes. */
  private async revokeIfReused(tokenHash: string, now: Date): Promise<void> {
    // Read again: a token revoked or expired meanwhile (a concurrent logout) is not reuse.
    const current = await this.deps.refreshTokens.findByHash(tokenHash);
    if (!current || current.revokedAt !== null || current.expiresAt <= now) return;
    if (!(await this.deps.refreshTokens.wasExchanged(current))) return;
    const revoked = await this.revokeFamily(current.familyId, now);
    this.deps.logger.warn(
      { familyId: current.familyId, userId: current.userId, revoked },
      "refresh token reuse detected; family revoked",
    );
  }

  /** Stores a new refresh token of the family; it expires with its own TTL or with the family, whichever is first. */
  private async addRefreshToken(family: RefreshFamilyRecord, now: Date): Promise<string> {
    const refreshToken = newRefreshToken();
    const ownExpiry = now.getTime() + this.deps.refreshTokenTtlSeconds * 1000;
    await this.deps.refreshTokens.insert({
      _id: hashRefreshToken(refreshToken),
      familyId: family._id,
      userId: family.userId,
      createdAt: now,
      expiresAt: new Date(Math.min(ownExpiry, family.expiresAt.getTime())),
      usedAt: null,
      revokedAt: null,
    });
    return refreshToken;
  }

  private async pair(user: Pick<User, "id" | "scopes">, refreshToken: string, now: Date): Promise<TokenPair> {
    const accessToken = await issueAccessToken(
      this.deps.keys,
      this.deps.accessTokens,
      { userId: user.id, scopes: user.scopes },
      now,
    );
    return { accessToken, refreshToken, tokenType: "Bearer", expiresIn: this.deps.accessTokens.ttlSeconds };
  }
}
