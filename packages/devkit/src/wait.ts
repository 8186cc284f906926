import { createServer, connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Options shared by the `waitFor*` helpers. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Named in the timeout error, so a failing test says what it waited for. */
  description?: string;
  /** Stop early: checked before each attempt, its error is thrown as is (e.g. "the process exited"). */
  abort?: () => Error | undefined;
}

/** Asks the OS for a free TCP port on 127.0.0.1 (bind port 0, read it, release it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Calls `check` until it returns a value other than `undefined`/`false` and returns that value.
 * Errors thrown by `check` count as "not yet"; the last one is quoted in the timeout error.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, description = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}

/** Resolves once a TCP connection to host:port succeeds. */
export async function waitForTcp(port: number, host = "127.0.0.1", options: WaitOptions = {}): Promise<void> {
  await waitFor(() => canConnect(port, host), { description: `TCP ${host}:${port}`, ...options });
}

/** Resolves once `GET url` answers with `status` (default 200). Each attempt uses a fresh connection. */
export async function waitForHttp(
  url: string,
  options: WaitOptions & { status?: number } = {},
): Promise<void> {
  const expected = options.status ?? 200;
  await waitFor(
    async () => {
      const response = await fetch(url, {
        headers: { connection: "close" },
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.status !== expected) throw new Error(`status ${response.status}`);
      return true;
    },
    { description: `GET ${url} -> ${expected}`, ...options },
  );
}

async function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => {
      done(true);
    });
    socket.once("error", () => {
      done(false);
    });
    socket.once("timeout", () => {
      done(false);
    });
  });
}
