/**
 * Runs a start-up task (creating indexes) until it succeeds, without blocking start-up: the process must come up
 * and report not-ready while MongoDB is down, then become ready by itself once the task has succeeded.
 */
export interface BackgroundTask {
  /** Resolves when the task has succeeded; rejects while it has not (a readiness check). */
  check(): Promise<void>;
  /** Stops retrying (at shutdown); an attempt in flight is allowed to finish. */
  stop(): void;
  /** Settles after the first success or after stop(); for tests and orderly shutdown. */
  readonly settled: Promise<void>;
}

export interface RetryOptions {
  readonly name: string;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onError?: (error: unknown, attempt: number, nextDelayMs: number) => void;
  readonly onSuccess?: (attempt: number) => void;
}

export function retryInBackground(task: () => Promise<void>, options: RetryOptions): BackgroundTask {
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let done = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      // A pending retry must not keep the process alive on its own.
      timer.unref();
    });

  const run = async () => {
    let delay = initialDelayMs;
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await task();
        done = true;
        options.onSuccess?.(attempt);
        return;
      } catch (error) {
        options.onError?.(error, attempt, delay);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  };

  const settled = run();
  return {
    settled,
    check: () =>
      done ? Promise.resolve() : Promise.reject(new Error(`${options.name} has not completed yet`)),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      wake?.();
    },
  };
}
