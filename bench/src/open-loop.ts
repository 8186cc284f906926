/**
 * One step of an open-loop load: `rate` requests per second for `durationMs`, each sent at its intended time
 * (start + i / rate) whether or not earlier requests have been answered, and each request's latency measured from
 * that intended time, not from when it went out. A server (or a client connection pool) that falls behind makes
 * requests wait, and that wait is part of what a user at that rate would see: measuring from the actual send
 * would hide it (coordinated omission).
 */
import { errorKind, LatencyHistogram } from "load-tools";
import type { LatencySummary } from "load-tools";

/** Time source and sleeper; tests pass a virtual one. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Resolves at or after `at` (a `now()` value). */
  sleepUntil(at: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleepUntil: (at) => {
    const wait = at - performance.now();
    return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
  },
};

/** A request of the step: resolves with `undefined` when the answer was the expected one, else a failure kind. */
export type Send = () => Promise<string | undefined>;

export interface StepOptions {
  /** Offered rate, requests per second. */
  readonly rate: number;
  readonly durationMs: number;
  readonly send: Send;
  readonly clock?: Clock;
  /**
   * Requests allowed in flight at once; beyond it a request is not sent and counts as an error (`client overload`),
   * which bounds memory when the target stops answering. Default 10,000.
   */
  readonly maxInFlight?: number;
}

export interface StepMeasurement {
  readonly offeredRps: number;
  readonly durationMs: number;
  /** Requests due in the step (rate x duration). */
  readonly scheduled: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly errorsByKind: Record<string, number>;
  /** Expected answers per second, from the step's start to its last answer. */
  readonly achievedRps: number;
  /** From each request's intended start to its answer (or failure): corrected for coordinated omission. */
  readonly latencyMs: LatencySummary;
  /**
   * How late the generator itself sent requests (p99 and worst): a lag near the objective means the client, not
   * the target, was the bottleneck (a starved CPU, a blocked event loop), and the step should be run again.
   */
  readonly sendLagP99Ms: number;
  readonly maxSendLagMs: number;
}

const DEFAULT_MAX_IN_FLIGHT = 10_000;
const MAX_REQUESTS_PER_STEP = 10_000_000;

export async function runOpenLoopStep(options: StepOptions): Promise<StepMeasurement> {
  const { rate, durationMs, send } = options;
  const clock = options.clock ?? realClock;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const scheduled = Math.floor((rate * durationMs) / 1000);
  if (!(rate > 0) || !(durationMs > 0) || scheduled < 1 || scheduled > MAX_REQUESTS_PER_STEP) {
    throw new Error(`a step needs 1..${MAX_REQUESTS_PER_STEP} requests, got rate ${rate} x ${durationMs} ms`);
  }
  const interval = 1000 / rate;
  const latency = new LatencyHistogram();
  const errorsByKind: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const sendLag = new LatencyHistogram();
  const start = clock.now();
  let lastAnswer = start;
  const inFlight = new Set<Promise<void>>();

  const finish = (intended: number, failure: string | undefined) => {
    const now = clock.now();
    latency.record(now - intended);
    lastAnswer = Math.max(lastAnswer, now);
    if (failure === undefined) ok++;
    else {
      errors++;
      errorsByKind[failure] = (errorsByKind[failure] ?? 0) + 1;
    }
  };

  for (let i = 0; i < scheduled; i++) {
    const intended = start + i * interval;
    await clock.sleepUntil(intended);
    sendLag.record(clock.now() - intended);
    if (inFlight.size >= maxInFlight) {
      finish(intended, "client overload");
      continue;
    }
    const request: Promise<void> = send()
      .then(
        (failure) => {
          finish(intended, failure);
        },
        (error: unknown) => {
          finish(intended, errorKind(error));
        },
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  // Every request ends: the client's own timeout bounds the wait.
  await Promise.all(inFlight);
  const elapsedMs = Math.max(lastAnswer - start, durationMs);
  return {
    offeredRps: rate,
    durationMs,
    scheduled,
    ok,
    errors,
    errorRate: errors / scheduled,
    errorsByKind,
    achievedRps: (ok * 1000) / elapsedMs,
    latencyMs: latency.summary(),
    sendLagP99Ms: sendLag.percentile(0.99),
    maxSendLagMs: sendLag.summary().max,
  };
}
