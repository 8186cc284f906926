import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureIndexes } from "../src/data/indexes.js";
import { AttemptCountersRepository } from "../src/data/attempt-counters-repository.js";
import { RefreshTokensRepository } from "../src/data/refresh-tokens-repository.js";
import { hashRefreshToken, newRefreshToken } from "../src/domain/tokens.js";
import { createTestDatabase } from "./support/database.js";
import type { TestDatabase } from "./support/database.js";
import { startTestApp } from "./support/app.js";
import { postJson } from "./support/http.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("expiry");
});
afterAll(() => database.drop());

describe("expiring records", () => {
  it("when indexes are created, then expiresAt is indexed (TTL where the server supports it) and email is unique", async () => {
    const { nativeTtl } = await ensureIndexes(database.db);
    const indexes = await database.db.collection("refresh_tokens").indexes();
    const expiry = indexes.find((i) => i.key["expiresAt"] === 1);
    expect(expiry).toBeDefined();
    expect(expiry?.expireAfterSeconds === 0).toBe(nativeTtl);
    const users = await database.db.collection("users").indexes();
    expect(users.find((i) => i.key["email"] === 1)?.unique).toBe(true);
  });

  it("when records have expired, then purgeExpired removes them and keeps live ones", async () => {
    const tokens = new RefreshTokensRepository(database.db);
    const attempts = new AttemptCountersRepository(database.db, "login_attempts");
    const now = new Date();
    const past = new Date(now.getTime() - 1000);
    const future = new Date(now.getTime() + 60_000);
    const token = (expiresAt: Date) => ({
      _id: hashRefreshToken(newRefreshToken()),
      familyId: "f",
      userId: "u",
      createdAt: now,
      expiresAt,
      usedAt: null,
      revokedAt: null,
    });
    await tokens.insert(token(past));
    await tokens.insert(token(future));
    const limit = (key: string) => ({ key, max: 3, windowSeconds: 60 });
    await attempts.reserve(limit("client:expired"), new Date(now.getTime() - 120_000));
    await attempts.reserve(limit("client:live"), now);
    expect(await tokens.purgeExpired(now)).toBe(1);
    expect(await attempts.purgeExpired(now)).toBe(1);
    expect(await tokens.collection.countDocuments()).toBe(1);
    expect((await attempts.collection.find().toArray()).map((r) => r.key)).toEqual(["client:live"]);
  });
});

describe("expired refresh tokens", () => {
  it("when a refresh token has expired but not yet been deleted, then refresh answers 401", async () => {
    const app = await startTestApp("expiredrefresh");
    try {
      const token = newRefreshToken();
      await new RefreshTokensRepository(app.db).insert({
        _id: hashRefreshToken(token),
        familyId: "f",
        userId: "u",
        createdAt: new Date(Date.now() - 10_000),
        expiresAt: new Date(Date.now() - 1000),
        usedAt: null,
        revokedAt: null,
      });
      expect((await postJson(app.baseUrl, "/v1/auth/refresh", { refreshToken: token })).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
