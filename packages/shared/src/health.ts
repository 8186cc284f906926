import { HEALTH_PATH, READINESS_PATH } from "@platform/contract";
import { Router } from "express";
import { AppError } from "./errors.js";

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessOptions {
  /** Each check must settle within this time or counts as failed, so /readyz never hangs. */
  readonly timeoutMs?: number;
}

/** Whether the instance should receive traffic: all checks pass and it is not shutting down. */
export class Readiness {
  private shuttingDown = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    options: ReadinessOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /** Resolves when ready; rejects with the reason otherwise. */
  async check(): Promise<void> {
    if (this.shuttingDown) throw new Error("shutting down");
    await Promise.all(this.checks.map((c) => withTimeout(c, this.timeoutMs)));
  }
}

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`readiness check timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthRoutesOptions {
  readonly readiness: Readiness;
}

/** GET /healthz (the process answers) and GET /readyz (it can do useful work). */
export function healthRoutes(options: HealthRoutesOptions): Router {
  const router = Router();
  router.get(HEALTH_PATH, (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  router.get(READINESS_PATH, async (_req, res) => {
    try {
      await options.readiness.check();
    } catch (error) {
      const detail = error instanceof Error ? error.message : "not ready";
      throw AppError.serviceUnavailable(
        options.readiness.isShuttingDown ? undefined : 5,
        `Not ready: ${detail}`,
      );
    }
    res.set("Cache-Control", "no-store").json({ status: "ready" });
  });
  return router;
}
