import type { Db } from "mongodb";
import { LoginAttemptsRepository } from "./login-attempts-repository.js";
import { RefreshTokensRepository } from "./refresh-tokens-repository.js";
import { UsersRepository } from "./users-repository.js";

export interface IndexesResult {
  /** False on servers without TTL indexes (FerretDB v1): expired records must be purged by the service. */
  readonly nativeTtl: boolean;
}

/** Creates every index the service relies on (idempotent). The unique email index is what prevents duplicates. */
export async function ensureIndexes(db: Db): Promise<IndexesResult> {
  await new UsersRepository(db).ensureIndexes();
  const tokensTtl = await new RefreshTokensRepository(db).ensureIndexes();
  const attemptsTtl = await new LoginAttemptsRepository(db).ensureIndexes();
  return { nativeTtl: tokensTtl && attemptsTtl };
}

/**
 * Index creation as a readiness check: the first passing probe creates them, so the service can start while the
 * database is down and becomes ready only once its indexes exist. Concurrent probes share one attempt.
 */
export function indexesReadinessCheck(
  db: Db,
  onCreated: (result: IndexesResult) => void,
): () => Promise<void> {
  let done = false;
  let pending: Promise<void> | undefined;
  return async () => {
    if (done) return;
    pending ??= ensureIndexes(db).then(
      (result) => {
        done = true;
        onCreated(result);
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    await pending;
  };
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
  const repositories = [new RefreshTokensRepository(db), new LoginAttemptsRepository(db)];
  const timer = setInterval(() => {
    const now = new Date();
    Promise.all(repositories.map((r) => r.purgeExpired(now))).catch(onError);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
