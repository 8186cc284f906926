/** A small HTTP(S) client over node:http so tests control the bytes, keep-alive, TLS trust and timeouts. */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** PEM of the CA that signed the ingress certificate. */
  readonly ca?: string;
  readonly agent?: HttpAgent;
  readonly timeoutMs?: number;
}

export function keepAliveAgent(url: string, ca?: string): HttpAgent {
  return url.startsWith("https:")
    ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ...(ca ? { ca } : {}) })
    : new HttpAgent({ keepAlive: true, maxSockets: 64 });
}

export function request(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  const started = performance.now();
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  const headers: Record<string, string | string[]> = { ...options.headers };
  if (options.body !== undefined && headers["content-type"] === undefined)
    headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method ?? "GET",
        headers,
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`timeout after ${options.timeoutMs ?? 15_000} ms: ${url}`)),
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Parses a JSON body, failing with the body in the message so a broken response is easy to read. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the shape it expects
export function json<T = Record<string, unknown>>(res: HttpResult): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${res.body.slice(0, 300)}`);
  }
}

/** True for an RFC 9457 problem document with the given status. */
export function isProblem(res: HttpResult, status?: number): boolean {
  if (!String(res.headers["content-type"]).startsWith("application/problem+json")) return false;
  const body = json<{ status?: number; title?: string }>(res);
  return typeof body.title === "string" && (status === undefined || body.status === status);
}
