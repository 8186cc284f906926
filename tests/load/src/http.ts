/**
 * The one HTTP client of the load tools: a keep-alive undici Pool to one origin, trusting the given CA file only,
 * never following redirects. A request resolves with the status, headers and body, or rejects with an error whose
 * message says why (refused, reset, TLS, timeout); it never retries.
 */
import { readFileSync } from "node:fs";
import { Pool } from "undici";

export interface TargetOptions {
  /** `https://host:port` plus an optional path prefix, e.g. the Gateway URL of `pnpm cluster env`. */
  readonly baseUrl: string;
  /** PEM file of the CA that signed the server certificate; omitted: the system's trust store. */
  readonly caFile?: string;
  /** Keep-alive connections to open at most. */
  readonly connections: number;
  /** Limit for one request from dispatch to the last body byte (default 10 s). */
  readonly timeoutMs?: number;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  /** Sent as JSON. */
  readonly json?: unknown;
}

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Client {
  send(method: Method, path: string, options?: SendOptions): Promise<Reply>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function createClient(target: TargetOptions): Client {
  const url = new URL(target.baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`base URL must be http(s): ${target.baseUrl}`);
  }
  const prefix = url.pathname.replace(/\/+$/, "");
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pool = new Pool(url.origin, {
    connections: target.connections,
    // One request per connection at a time: pipelining would hide the server's per-request latency.
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: {
      timeout: timeoutMs,
      rejectUnauthorized: true,
      ...(target.caFile ? { ca: readFileSync(target.caFile) } : {}),
    },
  });
  return {
    async send(method, path, options = {}) {
      const headers: Record<string, string> = { accept: "application/json", ...options.headers };
      if (options.json !== undefined) headers["content-type"] = "application/json";
      const response = await pool.request({
        method,
        path: `${prefix}${path}`,
        headers,
        body: options.json === undefined ? null : JSON.stringify(options.json),
        // Covers the whole exchange, queueing for a free connection included.
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    },
    close: () => pool.close(),
  };
}

/** One line naming why a request got no response: error code and message, causes included. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const label =
        current.name === "TimeoutError" ? "timeout" : typeof code === "string" ? code : current.name;
      parts.push(`${label}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(typeof current === "string" ? current : JSON.stringify(current));
      break;
    }
  }
  return parts.join(" <- ");
}

/** A short name for a request error: `timeout`, or the first error code of the chain (`ECONNREFUSED`, ...). */
export function errorKind(error: unknown): string {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e.name === "TimeoutError" || (typeof code === "string" && code.includes("TIMEOUT"))) return "timeout";
    if (typeof code === "string") return code;
  }
  return error instanceof Error ? error.name : "error";
}

/** A header's single value (the first when repeated). */
export function headerValue(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
