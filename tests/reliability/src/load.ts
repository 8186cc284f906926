/**
 * Steady, bounded load for reliability tests: a fixed number of workers each sending one request at a time until
 * stopped, the request budget is spent or the time limit passes. Every outcome is counted, nothing is retried.
 */
import type { HttpResult } from "./http.js";

export interface LoadStats {
  readonly sent: number;
  readonly byStatus: Record<number, number>;
  /** Network-level failures (reset, refused, timeout), with their messages. */
  readonly networkErrors: string[];
  /** Responses the caller's `ok` predicate rejected, with status and start of the body. */
  readonly failures: string[];
  readonly maxMs: number;
}

export interface LoadOptions {
  readonly workers: number;
  readonly maxRequests: number;
  readonly maxDurationMs: number;
  readonly send: (i: number) => Promise<HttpResult>;
  readonly ok: (res: HttpResult) => boolean;
  readonly onResult?: (res: HttpResult, i: number) => void;
}

export interface RunningLoad {
  /** Stops the workers after their current request and returns the totals. */
  stop(): Promise<LoadStats>;
  /** Totals so far. */
  stats(): LoadStats;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const stats = {
    sent: 0,
    byStatus: {} as Record<number, number>,
    networkErrors: [] as string[],
    failures: [] as string[],
    maxMs: 0,
  };
  const deadline = Date.now() + options.maxDurationMs;
  let stopping = false;
  const worker = async (): Promise<void> => {
    while (!stopping && stats.sent < options.maxRequests && Date.now() < deadline) {
      const i = stats.sent++;
      try {
        const res = await options.send(i);
        stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
        stats.maxMs = Math.max(stats.maxMs, res.ms);
        if (!options.ok(res)) stats.failures.push(`${res.status} ${res.body.slice(0, 200)}`);
        options.onResult?.(res, i);
      } catch (err) {
        stats.networkErrors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, worker));
  return {
    async stop() {
      stopping = true;
      await done;
      return stats;
    },
    stats: () => stats,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns the time it took. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
