/** What a mixed-load run counted, and the recorder that counts it. */
import { LatencyHistogram } from "./histogram.js";
import type { LatencySummary } from "./histogram.js";
import type { AppName, Op } from "./mix.js";

export interface OpCounts {
  ok: number;
  failed: number;
}

export interface Failure {
  readonly op: Op;
  /** Milliseconds since the run started. */
  readonly atMs: number;
  /** `status 502`, `timeout`, `ECONNREFUSED`, `unexpected body`, ...: what `failureKinds` counts. */
  readonly kind: string;
  /** The request and what went wrong, with the start of the response body or the error chain. */
  readonly reason: string;
}

/** When a version key was first and last seen, in milliseconds since the run started. */
export interface SeenWindow {
  readonly firstMs: number;
  readonly lastMs: number;
}

/** The result of a mixed-load run (or a snapshot of one still running). */
export interface Result {
  /** Wall-clock start of the run (ISO), to line it up with other logs. */
  readonly startedAt: string;
  readonly elapsedMs: number;
  /** Requests that completed or failed (setup requests included). */
  readonly total: number;
  readonly failed: number;
  readonly byOp: Partial<Record<Op, OpCounts>>;
  /** Response statuses, counted over all responses (failed ones included). */
  readonly byStatus: Record<string, number>;
  /** Failures counted by kind. */
  readonly failureKinds: Record<string, number>;
  /** The first 20 failures. */
  readonly failures: readonly Failure[];
  /** `X-App-Version` values per app, as `app-a@1.2.3` → responses; `app-a@(none)` for responses without it. */
  readonly versionsSeen: Record<string, number>;
  /** When each `versionsSeen` key was first and last seen: shows v1 giving way to v2 during a rollout. */
  readonly versionWindows: Record<string, SeenWindow>;
  /** Latency of every request from its dispatch to its last byte (ms). */
  readonly latencyMs: LatencySummary;
}

export const MAX_FAILURES_KEPT = 20;

export class Recorder {
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();
  private total = 0;
  private failed = 0;
  private readonly byOp: Partial<Record<Op, OpCounts>> = {};
  private readonly byStatus: Record<string, number> = {};
  private readonly failureKinds: Record<string, number> = {};
  private readonly failures: Failure[] = [];
  private readonly versionsSeen: Record<string, number> = {};
  private readonly versionWindows: Record<string, { firstMs: number; lastMs: number }> = {};
  private readonly latency = new LatencyHistogram();

  /** Milliseconds since the run started. */
  now(): number {
    return performance.now() - this.started;
  }

  /** A response arrived (whatever its status): count its status and the version that sent it. */
  response(app: AppName, status: number, version: string | undefined): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    const key = `${app}@${version ?? "(none)"}`;
    this.versionsSeen[key] = (this.versionsSeen[key] ?? 0) + 1;
    const at = this.now();
    const window = this.versionWindows[key];
    if (window) window.lastMs = at;
    else this.versionWindows[key] = { firstMs: at, lastMs: at };
  }

  ok(op: Op, latencyMs: number): void {
    this.count(op, latencyMs).ok++;
  }

  fail(op: Op, latencyMs: number, kind: string, reason: string): void {
    this.count(op, latencyMs).failed++;
    this.failed++;
    this.failureKinds[kind] = (this.failureKinds[kind] ?? 0) + 1;
    if (this.failures.length < MAX_FAILURES_KEPT) {
      this.failures.push({ op, atMs: Math.round(this.now()), kind, reason });
    }
  }

  /** A copy: later requests do not change it. */
  result(): Result {
    const byOp: Partial<Record<Op, OpCounts>> = {};
    for (const [op, counts] of Object.entries(this.byOp) as [Op, OpCounts][]) byOp[op] = { ...counts };
    const windows: Record<string, SeenWindow> = {};
    for (const [key, w] of Object.entries(this.versionWindows)) {
      windows[key] = { firstMs: Math.round(w.firstMs), lastMs: Math.round(w.lastMs) };
    }
    return {
      startedAt: this.startedAt,
      elapsedMs: Math.round(this.now()),
      total: this.total,
      failed: this.failed,
      byOp,
      byStatus: { ...this.byStatus },
      failureKinds: { ...this.failureKinds },
      failures: [...this.failures],
      versionsSeen: { ...this.versionsSeen },
      versionWindows: windows,
      latencyMs: this.latency.summary(),
    };
  }

  private count(op: Op, latencyMs: number): OpCounts {
    this.total++;
    this.latency.record(latencyMs);
    const counts = (this.byOp[op] ??= { ok: 0, failed: 0 });
    return counts;
  }
}
