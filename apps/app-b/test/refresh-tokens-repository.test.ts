import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefreshTokensRepository } from "../src/data/refresh-tokens-repository.js";
import { createTestDatabase, TEST_MONGODB_URI } from "./support/database.js";
import type { TestDatabase } from "./support/database.js";

let database: TestDatabase;
let otherClient: MongoClient;

beforeAll(async () => {
  database = await createTestDatabase("refreshrepo");
  await new RefreshTokensRepository(database.db).ensureIndexes();
  // A second connection pool, as a second pod would have: the race is between servers' clients, not one pool.
  otherClient = await new MongoClient(TEST_MONGODB_URI).connect();
});

afterAll(async () => {
  await otherClient.close();
  await database.drop();
});

describe("RefreshTokensRepository.consume", () => {
  it("when two clients exchange the same token at once, then exactly one gets it, every time", async () => {
    const first = new RefreshTokensRepository(database.db);
    const second = new RefreshTokensRepository(otherClient.db(database.db.databaseName));
    const now = new Date();
    const winners: number[] = [];
    for (let i = 0; i < 20; i++) {
      await first.insert({
        _id: `token-${i}`,
        familyId: `family-${i}`,
        userId: "user-1",
        createdAt: now,
        expiresAt: new Date(now.getTime() + 60_000),
        usedAt: null,
        revokedAt: null,
      });
      const results = await Promise.all([
        first.consume(`token-${i}`, now),
        second.consume(`token-${i}`, now),
      ]);
      winners.push(results.filter((r) => r !== null).length);
      // Whoever lost sees the token as exchanged, so the caller can treat it as reuse.
      const record = await first.findByHash(`token-${i}`);
      expect(record && (await first.wasExchanged(record))).toBe(true);
    }
    expect(winners).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it("when the FerretDB workarounds are off (MongoDB), then an exchange works once and records no use", async () => {
    const repository = new RefreshTokensRepository(database.db, false);
    const now = new Date();
    await repository.insert({
      _id: "token-plain",
      familyId: "family-plain",
      userId: "user-1",
      createdAt: now,
      expiresAt: new Date(now.getTime() + 60_000),
      usedAt: null,
      revokedAt: null,
    });
    expect(await repository.consume("token-plain", now)).not.toBeNull();
    expect(await repository.consume("token-plain", now)).toBeNull();
    const record = await repository.findByHash("token-plain");
    expect(record && (await repository.wasExchanged(record))).toBe(true);
    const uses = database.db.collection("refresh_token_uses");
    expect(await uses.countDocuments({ _id: "token-plain" } as never)).toBe(0);
  });

  it("when the token is unknown, then nothing is recorded for it", async () => {
    const repository = new RefreshTokensRepository(database.db);
    expect(await repository.consume("unknown", new Date())).toBeNull();
    expect(
      await database.db.collection("refresh_token_uses").countDocuments({ _id: "unknown" } as never),
    ).toBe(0);
  });
});
