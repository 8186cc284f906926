import { randomUUID } from "node:crypto";

/**
 * Request ids and trace ids from incoming headers. Ids end up in logs and response headers, so anything that is
 * not a short, plain token is replaced rather than echoed (no header or log injection, bounded size).
 */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming id if it is safe to echo, else undefined. */
export function sanitizeRequestId(value: string | readonly string[] | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  return SAFE_ID.test(value) ? value : undefined;
}

/** The id to use for this request: the caller's when it is safe, else a fresh UUID. */
export function requestIdFrom(value: string | readonly string[] | undefined): string {
  return sanitizeRequestId(value) ?? randomUUID();
}

export interface TraceContext {
  readonly traceId: string;
  readonly spanId?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const CLOUD_TRACE = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=[01])?$/;
const ZERO_TRACE = "0".repeat(32);

/**
 * W3C traceparent first (what Google's load balancers and OpenTelemetry send), then the legacy
 * X-Cloud-Trace-Context. Invalid or all-zero ids are ignored, as the W3C spec requires.
 */
export function parseTraceContext(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): TraceContext | undefined {
  const traceparent = headers["traceparent"];
  if (typeof traceparent === "string") {
    const match = TRACEPARENT.exec(traceparent.trim());
    if (
      match?.[2] !== undefined &&
      match[1] !== "ff" &&
      match[2] !== ZERO_TRACE &&
      match[3] !== "0".repeat(16)
    ) {
      return { traceId: match[2], ...(match[3] === undefined ? {} : { spanId: match[3] }) };
    }
  }
  const cloud = headers["x-cloud-trace-context"];
  if (typeof cloud === "string") {
    const match = CLOUD_TRACE.exec(cloud.trim());
    if (match?.[1] !== undefined && match[1] !== ZERO_TRACE) {
      return { traceId: match[1].toLowerCase(), ...(match[2] === undefined ? {} : { spanId: match[2] }) };
    }
  }
  return undefined;
}
