import { createHash } from "node:crypto";
import { AppError } from "@platform/shared";
import type { LoginAttemptsRepository } from "../data/login-attempts-repository.js";

export interface LoginLimits {
  readonly maxAttemptsPerAccount: number;
  readonly maxAttemptsPerAddress: number;
  readonly windowSeconds: number;
}

/** Counter keys. The email is hashed so the throttle collection holds no addresses of people who never signed up. */
export function accountKey(email: string): string {
  return `account:${createHash("sha256").update(email).digest("hex")}`;
}

export function addressKey(address: string): string {
  return `address:${address}`;
}

/**
 * Failed-login throttling per account (stops guessing one password) and per client address (stops one client
 * spraying many accounts). Unknown accounts are counted like real ones, so the throttle reveals nothing.
 */
export class LoginThrottle {
  constructor(
    private readonly attempts: LoginAttemptsRepository,
    private readonly limits: LoginLimits,
  ) {}

  /** Throws 429 with Retry-After when either counter is at its limit. */
  async assertAllowed(email: string, address: string, now: Date): Promise<void> {
    const account = accountKey(email);
    const records = await this.attempts.findActive([account, addressKey(address)], now);
    let retryAfterMs = 0;
    for (const record of records) {
      const limit =
        record._id === account ? this.limits.maxAttemptsPerAccount : this.limits.maxAttemptsPerAddress;
      if (record.count >= limit)
        retryAfterMs = Math.max(retryAfterMs, record.expiresAt.getTime() - now.getTime());
    }
    if (retryAfterMs > 0) {
      throw AppError.tooManyRequests(retryAfterMs / 1000, "Too many failed login attempts. Try again later.");
    }
  }

  async recordFailure(email: string, address: string, now: Date): Promise<void> {
    await Promise.all([
      this.attempts.increment(accountKey(email), now, this.limits.windowSeconds),
      this.attempts.increment(addressKey(address), now, this.limits.windowSeconds),
    ]);
  }

  /** A correct password clears the account's counter; the address counter keeps counting its other failures. */
  async recordSuccess(email: string): Promise<void> {
    await this.attempts.reset(accountKey(email));
  }
}
