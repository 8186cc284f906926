import { STATUS_CODES } from "node:http";
import type { ErrorRequestHandler, RequestHandler } from "express";
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";
import type { Logger } from "pino";
import { ZodError } from "zod";
import { requestContext } from "./context.js";
import { AppError } from "./errors.js";
import type { FieldError } from "./errors.js";
import { markUnmatched } from "./metrics.js";

/** How long clients should wait before retrying when the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The RFC 9457 document every error response carries. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly [extension: string]: unknown;
}

/** Converts zod issues to the `errors` list of a 400 problem (paths as dotted strings, "" for the root). */
export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return {
      path: prefix === undefined ? path : path === "" ? prefix : `${prefix}.${path}`,
      message: issue.message,
    };
  });
}

/** body-parser (express.json) error types and what they mean for the client. */
const BODY_PARSER_ERRORS: Record<string, { status: number; detail: string }> = {
  "entity.parse.failed": { status: 400, detail: "The request body is not valid JSON." },
  "entity.too.large": { status: 413, detail: "The request body is larger than this endpoint accepts." },
  "charset.unsupported": { status: 415, detail: "The request body's charset is not supported; send UTF-8." },
  "encoding.unsupported": { status: 415, detail: "The request body's content encoding is not supported." },
  "request.aborted": { status: 400, detail: "The request was aborted while its body was being read." },
  "request.size.invalid": {
    status: 400,
    detail: "The request body's size does not match its Content-Length.",
  },
  "parameters.too.many": { status: 413, detail: "The request has too many parameters." },
  "stream.encoding.set": { status: 500, detail: "The request stream was read before the body parser." },
};

/**
 * Node's socket error codes. A handler's only outgoing connections are to its dependencies, so one of these while
 * serving a request means a dependency went away. The MongoDB driver lets some through unwrapped (seen: EPIPE
 * from a write to a socket the server had closed when the database stopped under load).
 */
const SOCKET_ERROR_CODES = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT"]);

function isDatabaseUnavailable(error: unknown): boolean {
  return (
    (error instanceof Error && SOCKET_ERROR_CODES.has(String((error as { code?: unknown }).code))) ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  );
}

function statusOf(error: object): number | undefined {
  const candidate =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === "number" && Number.isInteger(candidate) ? candidate : undefined;
}

/**
 * Maps anything thrown while serving a request to an AppError. `expected` is false for errors that mean a bug
 * (logged with their stack; their message never reaches the client).
 */
export function toAppError(error: unknown): { error: AppError; expected: boolean } {
  // An AppError was raised on purpose (a 503 for a dependency that is down is expected); only an unknown
  // failure wrapped as a 500 means a bug.
  if (error instanceof AppError) return { error, expected: error.status !== 500 };
  if (error instanceof ZodError) {
    return { error: AppError.badRequest("The request is invalid.", fieldErrors(error)), expected: true };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      error: AppError.serviceUnavailable(
        DATABASE_RETRY_AFTER_SECONDS,
        "The database is temporarily unavailable.",
      ),
      expected: true,
    };
  }
  if (typeof error === "object" && error !== null) {
    const type = (error as { type?: unknown }).type;
    const known = typeof type === "string" ? BODY_PARSER_ERRORS[type] : undefined;
    if (known && known.status < 500) {
      return {
        error: new AppError({ status: known.status, title: titleOf(known.status), detail: known.detail }),
        expected: true,
      };
    }
    // Express's router reports broken percent-encoding in a path (/v1/jobs/%E0%A4%A) as a URIError with status
    // 400 but without `expose`: the client sent it, so it is a 400.
    if (error instanceof URIError && statusOf(error) === 400) {
      return {
        error: AppError.badRequest("The request path is not valid percent-encoded UTF-8."),
        expected: true,
      };
    }
    // http-errors from Express itself (e.g. a malformed percent-encoding in the path) are client errors it chose to expose.
    const status = statusOf(error);
    if (
      status !== undefined &&
      status >= 400 &&
      status < 500 &&
      (error as { expose?: unknown }).expose === true
    ) {
      return { error: new AppError({ status, title: titleOf(status) }), expected: true };
    }
  }
  return {
    error: new AppError({ status: 500, title: "Internal Server Error", cause: error }),
    expected: false,
  };
}

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? "Error";
}

/** The problem document for an AppError; `instance` is the request path without the query string. */
export function problemDocument(error: AppError, instance?: string, requestId?: string): ProblemDocument {
  return {
    ...error.extras,
    type: error.type,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(instance === undefined ? {} : { instance }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

export interface ProblemHandlerOptions {
  readonly logger: Logger;
}

/** The one error middleware. Every error response of both services passes through here. */
export function problemHandler(options: ProblemHandlerOptions): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a problem document; Express's final handler destroys the socket so the client sees a failure.
      next(err);
      return;
    }
    const { error, expected } = toAppError(err);
    if (!expected) {
      options.logger.error({ err }, "unhandled error");
    } else if (error.status >= 500) {
      options.logger.warn({ err }, "dependency unavailable");
    } else {
      options.logger.debug({ status: error.status, detail: error.detail }, "request rejected");
    }
    const requestId = requestContext.getStore()?.requestId;
    res.status(error.status);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemDocument(error, req.path, requestId)));
  };
}

/** Terminal middleware for routes nobody matched. */
export function notFoundHandler(): RequestHandler {
  return (req, res, next) => {
    markUnmatched(res);
    next(AppError.notFound(`No route for ${req.method} ${req.path}.`));
  };
}
