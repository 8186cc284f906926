/**
 * What the load knows about the platform it drives: its users with their current tokens, the read-only jobs that
 * `get` reads, and the jobs available for changes. A job being changed is checked out by one request at a time,
 * and a single-use refresh token is handed to one request only, so every expected status is deterministic: a 412
 * only where the load sent a stale If-Match on purpose, never from two of its own requests racing.
 */
import { randomUUID } from "node:crypto";
import type { Random } from "./mix.js";

export interface LoadUser {
  readonly email: string;
  readonly password: string;
  readonly id: string;
  accessToken: string | undefined;
  /** `performance.now()` after which the access token counts as stale and is renewed before use. */
  renewAt: number;
  /** Unused refresh tokens of this user's sessions, newest last. */
  readonly refreshTokens: string[];
}

export interface JobRef {
  readonly id: string;
  version: number;
  readonly owner: LoadUser;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

/** Sessions kept per user; older refresh tokens stay valid on the server but are no longer used. */
const MAX_SESSIONS_PER_USER = 4;

export class LoadState {
  private readonly users: LoadUser[] = [];
  private readonly seedJobs: string[] = [];
  private readonly jobs: JobRef[] = [];
  private sequence = 0;

  constructor(
    private readonly random: Random,
    /** Jobs kept unchanged for `get`; created jobs fill this first. */
    private readonly seedTarget: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A fresh, valid credential pair (unique, so runs against a shared database never collide). */
  static newCredentials(): { email: string; password: string } {
    return { email: `load-${randomUUID()}@example.com`, password: `load-pw-${randomUUID()}` };
  }

  next(): number {
    return ++this.sequence;
  }

  addUser(email: string, password: string, id: string): LoadUser {
    const user: LoadUser = { email, password, id, accessToken: undefined, renewAt: 0, refreshTokens: [] };
    this.users.push(user);
    return user;
  }

  /** A random user that holds an access token, if any. */
  activeUser(): LoadUser | undefined {
    return this.pick(this.users.filter((u) => u.accessToken !== undefined));
  }

  /** A registered user that never logged in, if any. */
  pendingUser(): LoadUser | undefined {
    return this.pick(this.users.filter((u) => u.accessToken === undefined));
  }

  isStale(user: LoadUser): boolean {
    return user.accessToken === undefined || this.now() >= user.renewAt;
  }

  /** A login or refresh answered: the new access token is used from now on, the refresh token once. */
  applyTokens(user: LoadUser, tokens: TokenPair): void {
    user.accessToken = tokens.accessToken;
    // Renewed at 80% of its lifetime, so a long run never sends an expired token.
    user.renewAt = this.now() + tokens.expiresIn * 800;
    user.refreshTokens.push(tokens.refreshToken);
    if (user.refreshTokens.length > MAX_SESSIONS_PER_USER) user.refreshTokens.shift();
  }

  /** Hands one refresh token to one request; it is never handed out again. */
  takeRefreshToken(user: LoadUser): string | undefined {
    return user.refreshTokens.pop();
  }

  addJob(job: JobRef): void {
    if (this.seedJobs.length < this.seedTarget) this.seedJobs.push(job.id);
    else this.jobs.push(job);
  }

  seedJob(): string | undefined {
    return this.pick(this.seedJobs);
  }

  /** Checks a changeable job out; give it back with `returnJob` when its version is known again. */
  takeJob(): JobRef | undefined {
    // Swap-remove: O(1), order does not matter.
    const index = Math.floor(this.random() * this.jobs.length);
    const job = this.jobs[index];
    const last = this.jobs.pop();
    if (job !== undefined && last !== undefined && job !== last) this.jobs[index] = last;
    return job;
  }

  returnJob(job: JobRef): void {
    this.jobs.push(job);
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }
}
