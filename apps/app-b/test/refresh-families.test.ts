import { Writable } from "node:stream";
import { createLogger } from "@platform/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureIndexes } from "../src/data/indexes.js";
import { RefreshFamiliesRepository } from "../src/data/refresh-families-repository.js";
import { RefreshTokensRepository } from "../src/data/refresh-tokens-repository.js";
import type { RefreshTokenRecord } from "../src/data/refresh-tokens-repository.js";
import { UsersRepository } from "../src/data/users-repository.js";
import { createKeyStore, generateDevelopmentKey } from "../src/domain/keys.js";
import type { KeyStore } from "../src/domain/keys.js";
import { Sessions } from "../src/domain/sessions.js";
import { hashRefreshToken } from "../src/domain/tokens.js";
import { createTestDatabase } from "./support/database.js";
import type { TestDatabase } from "./support/database.js";

/**
 * Interleavings of a rotation with a revocation of the same family, made deterministic with a repository double
 * that runs the revocation at a chosen point of the rotation. Everything else is real: the domain, the
 * repositories and the database.
 */
let database: TestDatabase;
let keys: KeyStore;
let users: UsersRepository;
const user = {
  id: "user-1",
  email: "u1@example.com",
  passwordHash: "x",
  scopes: ["jobs:read"],
  createdAt: new Date(),
};

beforeAll(async () => {
  database = await createTestDatabase("families");
  await ensureIndexes(database.db);
  keys = await createKeyStore([generateDevelopmentKey()]);
  users = new UsersRepository(database.db);
  await users.insert(user);
});
afterAll(() => database.drop());

/** A tokens repository that runs `hook` once, around the next insert (the rotation's new token). */
class InterleavingTokens extends RefreshTokensRepository {
  hook: { when: "before" | "after"; run: () => Promise<void> } | undefined;

  override async insert(record: RefreshTokenRecord): Promise<void> {
    const hook = this.hook;
    this.hook = undefined;
    if (hook?.when === "before") await hook.run();
    await super.insert(record);
    if (hook?.when === "after") await hook.run();
  }
}

function buildSessions(logLines: string[] = [], now: () => Date = () => new Date()) {
  const refreshTokens = new InterleavingTokens(database.db);
  const logger = createLogger({
    service: "app-b",
    level: "info",
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
  const sessions = new Sessions({
    keys,
    accessTokens: { issuer: "http://iss", audience: "aud", ttlSeconds: 900 },
    refreshTokenTtlSeconds: 3600,
    sessionMaxAgeSeconds: 7200,
    refreshTokens,
    families: new RefreshFamiliesRepository(database.db),
    users,
    logger,
    now,
  });
  return { sessions, refreshTokens };
}

/** Resolves with the status an exchange gets: 200, or the AppError's status. */
async function exchange(
  sessions: Sessions,
  token: string,
): Promise<{ status: number; refreshToken?: string }> {
  try {
    return { status: 200, refreshToken: (await sessions.rotateRefreshToken(token)).refreshToken };
  } catch (error) {
    return { status: (error as { status?: number }).status ?? 500 };
  }
}

describe("a family revoked while one of its tokens is being rotated", () => {
  it.each([
    ["by logout, before the rotation inserts its new token", "before", "logout"],
    ["by logout, after the rotation inserted its new token", "after", "logout"],
    ["by reuse of an older token, before the rotation inserts its new token", "before", "reuse"],
    ["by reuse of an older token, after the rotation inserted its new token", "after", "reuse"],
  ] as const)("when revoked %s, then no token of the family works afterwards", async (_case, when, how) => {
    const { sessions, refreshTokens } = buildSessions();
    const first = await sessions.issueTokenPair(user);
    const second = await sessions.rotateRefreshToken(first.refreshToken);
    refreshTokens.hook = {
      when,
      run: async () => {
        if (how === "logout") await sessions.logout(second.refreshToken);
        else expect((await exchange(sessions, first.refreshToken)).status).toBe(401);
      },
    };
    const inFlight = await exchange(sessions, second.refreshToken);
    // Either the rotation itself is refused, or what it handed out no longer works.
    if (inFlight.refreshToken !== undefined) {
      expect((await exchange(sessions, inFlight.refreshToken)).status).toBe(401);
    } else {
      expect(inFlight.status).toBe(401);
    }
  });
});

describe("reuse detection", () => {
  it("when a revoked token is presented, then 401 and no reuse is reported", async () => {
    const lines: string[] = [];
    const { sessions } = buildSessions(lines);
    const pair = await sessions.issueTokenPair(user);
    await sessions.logout(pair.refreshToken);
    expect((await exchange(sessions, pair.refreshToken)).status).toBe(401);
    expect(lines.join("")).not.toContain("reuse");
  });

  it("when an expired token is presented, then 401 and no reuse is reported", async () => {
    const lines: string[] = [];
    const { sessions, refreshTokens } = buildSessions(lines);
    const pair = await sessions.issueTokenPair(user);
    await refreshTokens.collection.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await exchange(sessions, pair.refreshToken)).status).toBe(401);
    expect(lines.join("")).not.toContain("reuse");
  });

  it("when a used token is presented again, then 401 and the reuse is reported", async () => {
    const lines: string[] = [];
    const { sessions } = buildSessions(lines);
    const pair = await sessions.issueTokenPair(user);
    await sessions.rotateRefreshToken(pair.refreshToken);
    expect((await exchange(sessions, pair.refreshToken)).status).toBe(401);
    expect(lines.join("")).toContain("refresh token reuse detected");
  });
});

describe("the absolute lifetime of a login", () => {
  it("when a family is older than its maximum age, then its newest token is refused although it is fresh", async () => {
    const start = Date.now();
    let clock = start;
    const minutes = (n: number) => start + n * 60_000;
    const { sessions, refreshTokens } = buildSessions([], () => new Date(clock));
    // Tokens live 60 minutes each, the login 120 minutes in all (see buildSessions).
    let pair = await sessions.issueTokenPair(user);
    clock = minutes(50);
    pair = await sessions.rotateRefreshToken(pair.refreshToken);
    clock = minutes(100);
    pair = await sessions.rotateRefreshToken(pair.refreshToken);
    // The token issued at minute 100 would live to 160, but the login ends at 120.
    const stored = await refreshTokens.findByHash(hashRefreshToken(pair.refreshToken));
    expect(stored?.expiresAt.getTime()).toBe(minutes(120));
    clock = minutes(119);
    pair = await sessions.rotateRefreshToken(pair.refreshToken);
    clock = minutes(121);
    expect((await exchange(sessions, pair.refreshToken)).status).toBe(401);
  });
});
