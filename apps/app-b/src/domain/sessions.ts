import { randomUUID } from "node:crypto";
import { AppError } from "@platform/shared";
import type { Logger } from "@platform/shared";
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
  readonly refreshTokens: RefreshTokensRepository;
  readonly users: UsersRepository;
  readonly logger: Logger;
  readonly now: () => Date;
}

const invalidRefreshToken = () =>
  AppError.unauthorized("The refresh token is invalid, expired or revoked.", "invalid_token");

/** Token pairs: issuing them at login, rotating refresh tokens, detecting reuse, revoking at logout. */
export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /** A new access token and a new refresh token; `familyId` continues a rotation chain, else a new one starts. */
  async issueTokenPair(
    user: Pick<User, "id" | "scopes">,
    familyId: string = randomUUID(),
  ): Promise<TokenPair> {
    const now = this.deps.now();
    const refreshToken = newRefreshToken();
    await this.deps.refreshTokens.insert({
      _id: hashRefreshToken(refreshToken),
      familyId,
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.refreshTokenTtlSeconds * 1000),
      usedAt: null,
      revokedAt: null,
    });
    const accessToken = await issueAccessToken(
      this.deps.keys,
      this.deps.accessTokens,
      { userId: user.id, scopes: user.scopes },
      now,
    );
    return { accessToken, refreshToken, tokenType: "Bearer", expiresIn: this.deps.accessTokens.ttlSeconds };
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
    const consumed = await this.deps.refreshTokens.consume(tokenHash, now);
    if (!consumed) {
      const known = await this.deps.refreshTokens.findByHash(tokenHash);
      if (known && (await this.deps.refreshTokens.wasExchanged(known))) {
        const revoked = await this.deps.refreshTokens.revokeFamily(known.familyId, now);
        this.deps.logger.warn(
          { familyId: known.familyId, userId: known.userId, revoked },
          "refresh token reuse detected; family revoked",
        );
      }
      throw invalidRefreshToken();
    }
    const user = await this.deps.users.findById(consumed.userId);
    if (!user) throw invalidRefreshToken();
    return this.issueTokenPair(user, consumed.familyId);
  }

  /** Revokes the token's whole family. Unknown tokens are ignored: logout is idempotent and reveals nothing. */
  async logout(token: string): Promise<void> {
    if (!REFRESH_TOKEN_PATTERN.test(token)) return;
    const known = await this.deps.refreshTokens.findByHash(hashRefreshToken(token));
    if (known) await this.deps.refreshTokens.revokeFamily(known.familyId, this.deps.now());
  }
}
