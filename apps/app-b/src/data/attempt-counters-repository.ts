import { isDuplicateKey } from "@platform/shared";
import type { Collection, Db } from "mongodb";
import { ensureExpiryIndex, purgeExpired } from "./expiry.js";

/** One attempt held against a counter: its own document, so that taking it is a unique insert. */
interface AttemptSlot {
  /** "<key>|<step>|<n>": at most one document per slot number, which is what makes counting atomic. */
  readonly _id: string;
  readonly key: string;
  /** The time step the attempt was made in (Unix seconds divided by the step length). */
  readonly step: number;
  /** When the slot no longer counts for any window; the TTL index (or the sweeper) removes it afterwards. */
  readonly expiresAt: Date;
  readonly createdAt: Date;
  /** False while the work it guards runs (it may yet be released); true once it counts for good. */
  readonly settled: boolean;
}

/** A limit of `max` attempts in any `windowSeconds`, counted under `key`. */
export interface AttemptLimit {
  readonly key: string;
  readonly max: number;
  readonly windowSeconds: number;
}

export type Reservation =
  | { readonly granted: true; readonly slotId: string }
  | { readonly granted: false; readonly retryAfterSeconds: number };

/** A window is counted in this many steps: a full counter blocks for at most one window plus one step. */
export const STEPS_PER_WINDOW = 4;

/**
 * How long a refusal waits, in total, for slots held by attempts still in flight (unsettled): those may be given
 * back in a moment (a right password), so a burst of legitimate attempts queues instead of failing. Waits double.
 */
const PENDING_WAITS_MS = [25, 50, 100, 200, 400, 800, 1600];
/** An unsettled slot older than this belongs to a request that died: it counts, and nobody waits for it. */
const PENDING_MAX_AGE_MS = 30_000;

/**
 * Attempt counters in MongoDB, shared by every replica, that count atomically on MongoDB and FerretDB v1 alike.
 *
 * An attempt is reserved before the work it limits (a password check, a registration) by inserting a document
 * whose `_id` names a free slot number: a unique `_id` admits one writer on either server, so of N concurrent
 * callers at most the free slots' worth succeed. A `$inc` would not do: FerretDB v1 applies updates outside a
 * transaction with its read, so concurrent increments can be lost (docs/decisions/0001-revision-claims.md).
 *
 * The window slides in steps of `windowSeconds / STEPS_PER_WINDOW`: the slots of the current step and the
 * previous STEPS_PER_WINDOW steps together never exceed `max`, and any `windowSeconds` interval lies within such
 * a span, so no interval of that length ever holds more than `max` attempts.
 */
export class AttemptCountersRepository {
  readonly collection: Collection<AttemptSlot>;

  constructor(db: Db, collectionName: string) {
    this.collection = db.collection<AttemptSlot>(collectionName);
  }

  /** Resolves true when the server deletes expired records itself (TTL index), false when purgeExpired must. */
  async ensureIndexes(): Promise<boolean> {
    await this.collection.createIndex({ key: 1, step: 1 }, { name: "key_step" }, undefined);
    return ensureExpiryIndex(this.collection as unknown as Collection<never>);
  }

  purgeExpired(now: Date): Promise<number> {
    return purgeExpired(this.collection as unknown as Collection<never>, now);
  }

  /**
   * Takes one attempt under the limit, or says when the next one may be free. While the limit is reached only
   * because of attempts still in flight, waits (a few seconds at most) for them to settle or be released.
   */
  async reserve(limit: AttemptLimit, now: Date): Promise<Reservation> {
    for (const waitMs of [...PENDING_WAITS_MS, undefined]) {
      const { reservation, pending } = await this.tryReserve(limit, now);
      if (reservation.granted || !pending || waitMs === undefined) return reservation;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    throw new Error("unreachable");
  }

  /** The attempts counted for good (failed logins, registrations that ran): nobody waits for them any more. */
  async settle(slotIds: readonly string[]): Promise<void> {
    await this.collection.updateMany({ _id: { $in: [...slotIds] } }, { $set: { settled: true } });
  }

  private async tryReserve(
    limit: AttemptLimit,
    now: Date,
  ): Promise<{ reservation: Reservation; pending: boolean }> {
    const stepSeconds = limit.windowSeconds / STEPS_PER_WINDOW;
    const step = Math.floor(now.getTime() / 1000 / stepSeconds);
    const slots = await this.collection
      .find(
        { key: limit.key, step: { $gte: step - STEPS_PER_WINDOW, $lte: step } },
        { projection: { step: 1, settled: 1, createdAt: 1 } },
      )
      .toArray();
    const counts = new Map<number, number>();
    for (const slot of slots) counts.set(slot.step, (counts.get(slot.step) ?? 0) + 1);
    const earlier = sum(counts, step - STEPS_PER_WINDOW, step - 1);
    const taken = new Set(slots.filter((slot) => slot.step === step).map((slot) => slot._id));
    const expiresAt = new Date((step + STEPS_PER_WINDOW + 1) * stepSeconds * 1000);
    for (let n = 1; n <= limit.max - earlier; n++) {
      const slotId = `${limit.key}|${step}|${n}`;
      if (taken.has(slotId)) continue;
      try {
        await this.collection.insertOne({
          _id: slotId,
          key: limit.key,
          step,
          expiresAt,
          createdAt: new Date(),
          settled: false,
        });
        return { reservation: { granted: true, slotId }, pending: false };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    // Every slot of this step is taken now, whatever the read above saw.
    counts.set(step, Math.max(counts.get(step) ?? 0, limit.max - earlier));
    const inFlightSince = Date.now() - PENDING_MAX_AGE_MS;
    return {
      reservation: {
        granted: false,
        retryAfterSeconds: retryAfter(counts, limit.max, step, stepSeconds, now),
      },
      // Slots taken after the read above (the inserts that failed) may be in flight too.
      pending:
        slots.length < limit.max ||
        slots.some((slot) => !slot.settled && slot.createdAt.getTime() > inFlightSince),
    };
  }

  /** Gives a reserved attempt back (the work it guarded did not count as a failure). */
  async release(slotId: string): Promise<void> {
    await this.collection.deleteOne({ _id: slotId });
  }

  /** Forgets every attempt counted under `key`. */
  async clear(key: string): Promise<void> {
    await this.collection.deleteMany({ key });
  }
}

function sum(counts: ReadonlyMap<number, number>, from: number, to: number): number {
  let total = 0;
  for (let step = from; step <= to; step++) total += counts.get(step) ?? 0;
  return total;
}

/** Seconds until the first later step whose look-back holds fewer than `max` attempts (at least 1). */
function retryAfter(
  counts: ReadonlyMap<number, number>,
  max: number,
  step: number,
  stepSeconds: number,
  now: Date,
): number {
  let next = step + 1;
  while (sum(counts, next - STEPS_PER_WINDOW, next - 1) >= max) next++;
  return Math.max(1, Math.ceil(next * stepSeconds - now.getTime() / 1000));
}
