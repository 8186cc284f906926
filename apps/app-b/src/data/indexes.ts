import type { Db } from "mongodb";
import { AttemptCountersRepository } from "./attempt-counters-repository.js";
import { RefreshFamiliesRepository } from "./refresh-families-repository.js";
import { RefreshTokensRepository } from "./refresh-tokens-repository.js";
import { UsersRepository } from "./users-repository.js";

/** The collections of throttle counters: failed logins, and registrations per client. */
export const LOGIN_ATTEMPTS = "login_attempts";
export const REGISTRATION_ATTEMPTS = "registration_attempts";

export interface IndexesResult {
  /** False on servers without TTL indexes (FerretDB v1): expired records must be purged by the service. */
  readonly nativeTtl: boolean;
}

/** Creates every index the service relies on (idempotent). The unique email index is what prevents duplicates. */
export async function ensureIndexes(db: Db): Promise<IndexesResult> {
  await new UsersRepository(db).ensureIndexes();
  const tokensTtl = await new RefreshTokensRepository(db).ensureIndexes();
  const familiesTtl = await new RefreshFamiliesRepository(db).ensureIndexes();
  const attemptsTtl = await new AttemptCountersRepository(db, LOGIN_ATTEMPTS).ensureIndexes();
  const registrationsTtl = await new AttemptCountersRepository(db, REGISTRATION_ATTEMPTS).ensureIndexes();
  return { nativeTtl: tokensTtl && familiesTtl && attemptsTtl && registrationsTtl };
}

/**
 * Where the server has no TTL indexes, deletes expired refresh tokens and login counters once a minute (what
 * MongoDB's TTL monitor does). Returns a function that stops it.
 */
export function startExpirySweeper(
  db: Db,
  onError: (error: unknown) => void,
  intervalMs = 60_000,
): () => void {
  const repositories = [
    new RefreshTokensRepository(db),
    new RefreshFamiliesRepository(db),
    new AttemptCountersRepository(db, LOGIN_ATTEMPTS),
    new AttemptCountersRepository(db, REGISTRATION_ATTEMPTS),
  ];
  const timer = setInterval(() => {
    const now = new Date();
    Promise.all(repositories.map((r) => r.purgeExpired(now))).catch(onError);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
