import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptCountersRepository } from "../src/data/attempt-counters-repository.js";
import type { AttemptLimit } from "../src/data/attempt-counters-repository.js";
import { createTestDatabase, TEST_MONGODB_URI } from "./support/database.js";
import type { TestDatabase } from "./support/database.js";

let database: TestDatabase;
let otherClient: MongoClient;
let counters: AttemptCountersRepository;
let secondPod: AttemptCountersRepository;

beforeAll(async () => {
  database = await createTestDatabase("attempts");
  counters = new AttemptCountersRepository(database.db, "attempts");
  await counters.ensureIndexes();
  // A second connection pool, as a second pod would have.
  otherClient = await new MongoClient(TEST_MONGODB_URI).connect();
  secondPod = new AttemptCountersRepository(otherClient.db(database.db.databaseName), "attempts");
});

afterAll(async () => {
  await otherClient.close();
  await database.drop();
});

const minute = 60_000;
let nextKey = 0;
const limit = (max: number, windowSeconds = 3600) => ({ key: `k${nextKey++}`, max, windowSeconds });
const granted = (reservations: { granted: boolean }[]) => reservations.filter((r) => r.granted).length;

/** A reservation whose attempt then counts for good (a failed login): nobody waits for it. */
async function take(repository: AttemptCountersRepository, limit: AttemptLimit, now: Date) {
  const reservation = await repository.reserve(limit, now);
  if (reservation.granted) await repository.settle([reservation.slotId]);
  return reservation;
}

describe("AttemptCountersRepository.reserve", () => {
  it("when two pods reserve for one key at once, then no more than the limit are granted, every time", async () => {
    const now = new Date();
    for (let round = 0; round < 10; round++) {
      const counter = limit(3);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => take(i % 2 === 0 ? counters : secondPod, counter, now)),
      );
      expect(granted(results)).toBe(3);
    }
  });

  it("when the limit is reached, then Retry-After points at the first step with room again", async () => {
    const counter = limit(2, 3600);
    const start = new Date(Math.floor(Date.now() / 900_000) * 900_000 + 1000);
    expect(granted([await take(counters, counter, start), await take(counters, counter, start)])).toBe(2);
    const refused = await take(counters, counter, start);
    expect(refused).toEqual({ granted: false, retryAfterSeconds: 3600 + 900 - 1 });
  });

  it("when attempts are spread over time, then no window of that length ever holds more than the limit", async () => {
    const counter = limit(4, 3600);
    const start = Math.floor(Date.now() / 900_000) * 900_000;
    const grantedAt: number[] = [];
    for (let t = 0; t < 6 * 60; t += 7) {
      const at = start + t * minute;
      if ((await take(counters, counter, new Date(at))).granted) grantedAt.push(at);
    }
    for (const from of grantedAt) {
      expect(grantedAt.filter((at) => at >= from && at < from + 60 * minute).length).toBeLessThanOrEqual(4);
    }
    // ...and the counter is not stuck: attempts are granted in later hours again.
    expect(grantedAt.length).toBeGreaterThanOrEqual(8);
  });

  it("when a reservation is released, then its slot can be taken again", async () => {
    const counter = limit(1);
    const now = new Date();
    const first = await take(counters, counter, now);
    expect((await take(counters, counter, now)).granted).toBe(false);
    if (!first.granted) throw new Error("expected the first reservation to be granted");
    await counters.release(first.slotId);
    expect((await take(counters, counter, now)).granted).toBe(true);
  });

  it("when the limit is held by attempts still in flight, then a refusal waits for them and gets a slot one gives back", async () => {
    const counter = limit(1);
    const now = new Date();
    const inFlight = await counters.reserve(counter, now);
    if (!inFlight.granted) throw new Error("expected the first reservation to be granted");
    const waiting = secondPod.reserve(counter, now);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await counters.release(inFlight.slotId);
    expect((await waiting).granted).toBe(true);
  });

  it("when the attempts holding the limit have settled, then a refusal comes at once", async () => {
    const counter = limit(1);
    const now = new Date();
    await take(counters, counter, now);
    const started = performance.now();
    expect((await counters.reserve(counter, now)).granted).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
