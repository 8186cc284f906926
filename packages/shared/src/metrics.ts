import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Request, RequestHandler, Response } from "express";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

export type { Registry } from "prom-client";

export interface MetricsOptions {
  readonly service: string;
  readonly version?: string;
}

export interface Metrics {
  readonly registry: Registry;
  /** Counts and times every request by method, route pattern and status. */
  readonly middleware: RequestHandler;
}

const UNMATCHED = Symbol("unmatched");

/** How often the event-loop-lag histogram samples (prom-client's eventLoopMonitoringPrecision). */
export const EVENT_LOOP_SAMPLING_MS = 50;

/** Called by notFoundHandler so a 404 for an unknown URL is labelled "unmatched", not with a partial route. */
export function markUnmatched(res: Response): void {
  (res.locals as Record<symbol, unknown>)[UNMATCHED] = true;
}

/**
 * The route label: the Express route pattern ("/v1/jobs/:id"), never the raw URL, so label cardinality stays
 * bounded however many ids or random paths clients send.
 */
export function routeLabel(req: Pick<Request, "baseUrl" | "route">, res: Pick<Response, "locals">): string {
  if ((res.locals as Record<symbol, unknown>)[UNMATCHED] === true) return "unmatched";
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== "string") return "unmatched";
  return `${req.baseUrl}${path}` || "/";
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({
    service: options.service,
    ...(options.version ? { version: options.version } : {}),
  });
  // The event-loop-lag histogram samples with a timer. prom-client's default, 10 ms, wakes the process 100 times a
  // second: 6 ms of CPU per second in an idle app-a, and 5-9% of its CPU per read at 150-200 req/s
  // (docs/benchmarks.md, read path). A stall still shows in full: the timer fires late by as long as it lasted.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLING_MS });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests served, by method, route pattern and status.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency in seconds, by method, route pattern and status.",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, middleware };
}

export interface MetricsServerOptions {
  readonly registry: Registry;
  readonly host: string;
  readonly port: number;
}

/** A separate listener for GET /metrics, so the public port (and the load balancer) never exposes it. */
export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    options.registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": options.registry.contentType }).end(body),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
