/** One entry of a validation problem's `errors` list. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorInit {
  readonly status: number;
  readonly title: string;
  /** A URI identifying the problem type; "about:blank" means "the HTTP status says it all" (RFC 9457 4.2.1). */
  readonly type?: string;
  readonly detail?: string;
  readonly headers?: Record<string, string>;
  /** Extension members added to the problem document, e.g. `errors`. */
  readonly extras?: Record<string, unknown>;
  readonly cause?: unknown;
}

/**
 * The one error type that carries an HTTP meaning. Domain code throws these; problemHandler turns them into
 * RFC 9457 documents. Anything that is not an AppError becomes a 500 with its details hidden.
 */
export class AppError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly extras: Record<string, unknown>;

  constructor(init: AppErrorInit) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "AppError";
    this.status = init.status;
    this.type = init.type ?? "about:blank";
    this.title = init.title;
    this.detail = init.detail;
    this.headers = init.headers ?? {};
    this.extras = init.extras ?? {};
  }

  static badRequest(detail?: string, errors?: readonly FieldError[]): AppError {
    return new AppError({
      status: 400,
      title: "Bad Request",
      ...(detail === undefined ? {} : { detail }),
      ...(errors === undefined ? {} : { extras: { errors } }),
    });
  }

  /**
   * 401 with the RFC 6750 challenge. Without `error` the caller sent no credentials at all (the spec says not to
   * add an error code then); "invalid_token" for a bad, expired or unverifiable token.
   */
  static unauthorized(detail?: string, error?: "invalid_request" | "invalid_token"): AppError {
    return new AppError({
      status: 401,
      title: "Unauthorized",
      ...(detail === undefined ? {} : { detail }),
      headers: { "WWW-Authenticate": error === undefined ? "Bearer" : `Bearer error="${error}"` },
    });
  }

  static forbidden(detail?: string, requiredScope?: string): AppError {
    return new AppError({
      status: 403,
      title: "Forbidden",
      ...(detail === undefined ? {} : { detail }),
      ...(requiredScope === undefined
        ? {}
        : { headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${requiredScope}"` } }),
    });
  }

  static notFound(detail?: string): AppError {
    return new AppError({ status: 404, title: "Not Found", ...(detail === undefined ? {} : { detail }) });
  }

  static conflict(detail?: string): AppError {
    return new AppError({ status: 409, title: "Conflict", ...(detail === undefined ? {} : { detail }) });
  }

  static preconditionFailed(detail?: string): AppError {
    return new AppError({
      status: 412,
      title: "Precondition Failed",
      ...(detail === undefined ? {} : { detail }),
    });
  }

  static preconditionRequired(detail?: string): AppError {
    return new AppError({
      status: 428,
      title: "Precondition Required",
      ...(detail === undefined ? {} : { detail }),
    });
  }

  static payloadTooLarge(detail?: string): AppError {
    return new AppError({
      status: 413,
      title: "Content Too Large",
      ...(detail === undefined ? {} : { detail }),
    });
  }

  static unsupportedMediaType(detail?: string): AppError {
    return new AppError({
      status: 415,
      title: "Unsupported Media Type",
      ...(detail === undefined ? {} : { detail }),
    });
  }

  static tooManyRequests(retryAfterSeconds: number, detail?: string): AppError {
    return new AppError({
      status: 429,
      title: "Too Many Requests",
      ...(detail === undefined ? {} : { detail }),
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }

  static serviceUnavailable(retryAfterSeconds?: number, detail?: string): AppError {
    return new AppError({
      status: 503,
      title: "Service Unavailable",
      ...(detail === undefined ? {} : { detail }),
      ...(retryAfterSeconds === undefined
        ? {}
        : { headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) } }),
    });
  }
}
