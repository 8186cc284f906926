import { LISTENING_MESSAGE } from "@platform/contract";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestListener } from "node:http";
import type { Logger } from "pino";
import { StartupError } from "./config.js";
import type { Readiness } from "./health.js";
import { startMetricsServer } from "./metrics.js";
import type { Registry } from "./metrics.js";

export interface RunHttpServiceOptions {
  readonly app: RequestListener;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly metrics: { readonly registry: Registry; readonly port: number };
  /** How long /readyz fails before we stop accepting, so the load balancer stops sending first. */
  readonly drainDelayMs: number;
  /** Hard limit for the whole shutdown; after it the process exits 1. */
  readonly shutdownTimeoutMs: number;
  /** Run after the servers have stopped, e.g. closing the MongoDB client. */
  readonly onClose?: readonly (() => Promise<void>)[];
  /** Install SIGTERM/SIGINT handlers that shut down and exit (default true; tests pass false and call close()). */
  readonly handleSignals?: boolean;
}

export interface RunningHttpService {
  readonly port: number;
  readonly metricsPort: number;
  readonly server: Server;
  /** Graceful stop without exiting: fail readiness, drain, stop the servers, run onClose. Idempotent. */
  close(): Promise<void>;
}

/**
 * Above the idle timeout of Google's external HTTP(S) load balancers (600 s), so the proxy, not us, closes idle
 * keep-alive connections; otherwise it may send a request on a socket we are closing and return a 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 620_000;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runHttpService(options: RunHttpServiceOptions): Promise<RunningHttpService> {
  const { logger } = options;
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer(options.app);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  // Runs before Express sees the request: while draining, every response closes its connection behind it.
  server.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader("Connection", "close");
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });

  const port = await listen(server, options.port, options.host);
  const metrics = await startMetricsServer({
    registry: options.metrics.registry,
    host: options.host,
    port: options.metrics.port,
  });
  logger.info({ port, metricsPort: metrics.port, host: options.host }, LISTENING_MESSAGE);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.readiness.markShuttingDown();
      logger.info({ drainDelayMs: options.drainDelayMs }, "shutting down: readiness failing");
      await sleep(options.drainDelayMs);
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
      // Responses already under way keep their connection until they finish; then it is idle and can go.
      const idleSweep = setInterval(() => {
        server.closeIdleConnections();
      }, 100);
      try {
        await Promise.all([stopServer(server), stopServer(metrics.server)]);
      } finally {
        clearInterval(idleSweep);
      }
      logger.info("servers stopped; closing resources");
      for (const onClose of options.onClose ?? []) await onClose();
      logger.info("shutdown complete");
    })();
    return closing;
  };

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "signal received");
      const timer = setTimeout(() => {
        logger.error({ shutdownTimeoutMs: options.shutdownTimeoutMs }, "shutdown timed out; exiting");
        process.exit(1);
      }, options.shutdownTimeoutMs);
      timer.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }

  return { port, metricsPort: metrics.port, server, close };
}

/**
 * The one start-up failure line: before a logger exists (or when it is the logger that failed), one JSON line on
 * stderr in the log shape, `{"severity":"CRITICAL","service":...,"message":"<service> failed to start: ..."}`,
 * then exit 1. A StartupError (ConfigError included) is reported by its message; anything else with its stack.
 */
export function reportStartupFailure(service: string, error: unknown): never {
  const reason =
    error instanceof StartupError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  const line = { severity: "CRITICAL", service, message: `${service} failed to start: ${reason}` };
  process.stderr.write(`${JSON.stringify(line)}\n`);
  process.exit(1);
}
