import { createHash } from "node:crypto";
import { AppError } from "@platform/shared";
import type { AttemptCountersRepository, AttemptLimit } from "../data/attempt-counters-repository.js";
import { clientNetwork } from "./client-network.js";

export interface LoginLimits {
  /** Failed logins one client may make against one account per `windowSeconds` (LOGIN_MAX_ATTEMPTS). */
  readonly maxAttemptsPerAccountAndAddress: number;
  /** Failed logins one client may make against all accounts per `windowSeconds` (LOGIN_MAX_ATTEMPTS_PER_IP). */
  readonly maxAttemptsPerAddress: number;
  readonly windowSeconds: number;
  /** Failed logins against one account from everywhere per `accountWindowSeconds` (ASVS: at most 100/hour). */
  readonly maxAttemptsPerAccount: number;
  readonly accountWindowSeconds: number;
}

/** The email is hashed so the throttle collection holds no addresses of people who never signed up. */
function emailHash(email: string): string {
  return createHash("sha256").update(email).digest("hex");
}

/** An attempt that holds one reserved slot per counter until the password check says how it went. */
export interface LoginAttempt {
  readonly clientAccountKey: string;
  readonly slotIds: readonly string[];
}

/**
 * Failed-login throttling, counted before the password is checked so that concurrent guesses cannot overtake
 * the count. Three counters, narrowest first:
 * - per (account, client): small; stops one client guessing one password, and is all a single client can use up
 *   of an account, so one attacker cannot lock the owner out;
 * - per client: stops one client spraying many accounts;
 * - per account from every client: generous (ASVS's 100 per hour), the bound on distributed guessing.
 * An attempt refused by one counter gives back what it took from the others, so refused attempts never use up
 * another counter's budget (a client over its own limit cannot drain the account's). Unknown accounts are
 * counted like real ones, so the throttle reveals nothing.
 */
export class LoginThrottle {
  constructor(
    private readonly counters: AttemptCountersRepository,
    private readonly limits: LoginLimits,
  ) {}

  /** Reserves the attempt on every counter, or throws 429 with Retry-After, having checked no password. */
  async begin(email: string, address: string, now: Date): Promise<LoginAttempt> {
    const account = emailHash(email);
    const client = clientNetwork(address);
    const { windowSeconds, accountWindowSeconds } = this.limits;
    const clientAccountKey = `account-client:${account}:${client}`;
    const limits: AttemptLimit[] = [
      { key: clientAccountKey, max: this.limits.maxAttemptsPerAccountAndAddress, windowSeconds },
      { key: `client:${client}`, max: this.limits.maxAttemptsPerAddress, windowSeconds },
      {
        key: `account:${account}`,
        max: this.limits.maxAttemptsPerAccount,
        windowSeconds: accountWindowSeconds,
      },
    ];
    const slotIds: string[] = [];
    for (const limit of limits) {
      const reservation = await this.counters.reserve(limit, now);
      if (!reservation.granted) {
        await Promise.all(slotIds.map((slotId) => this.counters.release(slotId)));
        throw AppError.tooManyRequests(
          reservation.retryAfterSeconds,
          "Too many failed login attempts. Try again later.",
        );
      }
      slotIds.push(reservation.slotId);
    }
    return { clientAccountKey, slotIds };
  }

  /** The password was wrong: the attempt counts for good, and nobody waits for it to be given back. */
  async failed(attempt: LoginAttempt): Promise<void> {
    await this.counters.settle(attempt.slotIds);
  }

  /**
   * The password was right: the attempt was no failure, so its slots go back, and this client's earlier failures
   * for the account are forgiven (it knows the password). The per-client and per-account counters keep the other
   * failures they counted: a success must not reset a budget that other clients' guesses drew on.
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      ...attempt.slotIds.map((slotId) => this.counters.release(slotId)),
      this.counters.clear(attempt.clientAccountKey),
    ]);
  }
}
