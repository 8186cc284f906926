import { AppError } from "@platform/shared";
import type { AttemptCountersRepository } from "../data/attempt-counters-repository.js";
import { clientNetwork } from "./client-network.js";

export interface RegistrationLimits {
  /** Registrations one client may attempt per `windowSeconds` (REGISTER_MAX_PER_IP). */
  readonly maxPerAddress: number;
  readonly windowSeconds: number;
}

/**
 * Registration throttling per client (IPv4 address or IPv6 /64). Every registration that gets past validation
 * counts, whether it creates an account or finds the email taken: each costs an Argon2 hash, and each tells
 * the caller whether an address has an account. Counted before the hash, atomically, like failed logins.
 */
export class RegistrationThrottle {
  constructor(
    private readonly counters: AttemptCountersRepository,
    private readonly limits: RegistrationLimits,
  ) {}

  /**
   * Takes one registration from the client's budget, or throws 429 with Retry-After. Returns the slot, to settle
   * once the registration has run (whatever its outcome, it counts).
   */
  async admit(address: string, now: Date): Promise<string> {
    const reservation = await this.counters.reserve(
      {
        key: `client:${clientNetwork(address)}`,
        max: this.limits.maxPerAddress,
        windowSeconds: this.limits.windowSeconds,
      },
      now,
    );
    if (!reservation.granted) {
      throw AppError.tooManyRequests(
        reservation.retryAfterSeconds,
        "Too many registrations from this network. Try again later.",
      );
    }
    return reservation.slotId;
  }

  async settle(slotId: string): Promise<void> {
    await this.counters.settle([slotId]);
  }
}
