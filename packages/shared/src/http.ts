import { HEALTH_PATH, READINESS_PATH } from "@platform/contract";
import { AsyncResource } from "node:async_hooks";
import express from "express";
import type { Express, Request, RequestHandler } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import { requestContext } from "./context.js";
import { AppError } from "./errors.js";
import type { Metrics } from "./metrics.js";
import { routeLabel } from "./metrics.js";
import { rejectMongoOperators } from "./mongo-operators.js";
import { notFoundHandler, problemHandler } from "./problem.js";
import { parseTraceContext, requestIdFrom } from "./request-id.js";
import { VERSION_HEADER } from "./version.js";

export interface BaseAppOptions {
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, "middleware">;
  /** express.json's limit, e.g. "100kb"; larger bodies get a 413. */
  readonly bodyLimit: string;
  /** Express's "trust proxy" setting: which hops may set X-Forwarded-For (client address for throttling). */
  readonly trustProxy: boolean | number | string;
  /** Sent as X-App-Version on every response, so a smoke test can tell which release answered. */
  readonly version: string;
}

/** Paths the kubelet and load balancer hit every few seconds; their access lines go to debug. */
const PROBE_PATHS = new Set([HEALTH_PATH, READINESS_PATH]);

function requestScope(logger: Logger, version: string): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const trace = parseTraceContext(req.headers);
    res.setHeader("X-Request-Id", requestId);
    res.setHeader(VERSION_HEADER, version);
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const level = PROBE_PATHS.has(req.path) && res.statusCode < 400 ? "debug" : "info";
      logger[level](
        {
          requestId,
          ...(trace ? { traceId: trace.traceId } : {}),
          method: req.method,
          route: routeLabel(req, res),
          status: res.statusCode,
          latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        },
        "request",
      );
    });
    requestContext.run({ requestId, traceId: trace?.traceId, spanId: trace?.spanId }, next);
  };
}

/** Neither header: the request has no body (every GET of the benchmark), so there is nothing to check or parse. */
function hasNoBody(req: Request): boolean {
  return req.headers["transfer-encoding"] === undefined && req.headers["content-length"] === undefined;
}

/** Only JSON request bodies: anything else is a 415 before a parser looks at it. */
function jsonBodiesOnly(): RequestHandler {
  return (req, _res, next) => {
    const length = req.headers["content-length"];
    const hasBody =
      req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
    if (hasBody && req.is("application/json") === false) {
      next(AppError.unsupportedMediaType("Request bodies must be application/json."));
      return;
    }
    next();
  };
}

function jsonParser(limit: string): RequestHandler {
  const parse: RequestHandler = express.json({ limit, strict: true, type: "application/json" });
  // The parser resumes from stream events, which run outside the request's AsyncLocalStorage context; binding
  // `next` keeps requestId in every log line written after the body is read.
  return (req, res, next) => {
    parse(req, res, AsyncResource.bind(next));
  };
}

/**
 * The request body's three steps (JSON only, parsed with a size limit, no operator keys) behind one router layer
 * that a request without a body passes at once: each layer a GET walks through costs router work per request
 * (docs/benchmarks.md, read path).
 */
function requestBodies(limit: string): RequestHandler {
  const steps = [jsonBodiesOnly(), jsonParser(limit), rejectMongoOperators()];
  return (req, res, next) => {
    if (hasNoBody(req)) {
      next();
      return;
    }
    const run = (index: number, error?: unknown): void => {
      const step = steps[index];
      if (error !== undefined || step === undefined) {
        next(error);
        return;
      }
      step(req, res, (stepError?: unknown) => {
        run(index + 1, stepError);
      });
    };
    run(0);
  };
}

/**
 * The Express app both services start from: security headers, request id, version header and trace context, access
 * log, metrics, JSON body parsing with a size limit, and operator-key rejection. The service adds its routes, then
 * finishApp.
 */
export function createBaseApp(options: BaseAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.set("query parser", "simple");
  app.use(requestScope(options.logger, options.version));
  app.use(options.metrics.middleware);
  app.use(helmet());
  app.use(requestBodies(options.bodyLimit));
  return app;
}

export interface FinishAppOptions {
  readonly logger: Logger;
}

/** Adds the 404 for unknown routes and the one error handler; call after every route is mounted. */
export function finishApp(app: Express, options: FinishAppOptions): Express {
  app.use(notFoundHandler());
  app.use(problemHandler({ logger: options.logger }));
  return app;
}
