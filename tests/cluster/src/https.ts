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
