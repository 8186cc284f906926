/** One HTTPS GET with a private CA (node:https; global fetch cannot take a CA per request). */
import { readFileSync } from "node:fs";
import { request } from "node:https";

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function httpsGet(url: string, caFile: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(caFile), timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${String(timeoutMs)} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** One HTTPS request with a JSON body (none when undefined) and answer (node:https, private CA). */
export function httpsJson(
  method: string,
  url: string,
  caFile: string,
  body: unknown,
  timeoutMs = 10_000,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? "" : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca: readFileSync(caFile),
        timeout: timeoutMs,
        headers: {
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: text === "" ? undefined : JSON.parse(text) });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`${method} ${url} timed out after ${String(timeoutMs)} ms`)),
    );
    req.on("error", reject);
    req.end(payload);
  });
}
