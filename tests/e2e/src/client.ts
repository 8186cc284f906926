import { readFileSync } from "node:fs";
import { Agent, fetch } from "undici";

/** A response with its body read once, as JSON when it is JSON. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  contentType: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** HTTP client for the ingress: trusts only the ingress's self-signed certificate, never follows redirects. */
export interface Api {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export function apiClient(baseUrl: string, caFile: string): Api {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  return {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the JSON shape they expect; it is parsed, not validated
    async request<T>(method: string, path: string, options: RequestOptions = {}) {
      const headers: Record<string, string> = { accept: "application/json", ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher,
        redirect: "manual",
      });
      const text = await response.text();
      const contentType = response.headers.get("content-type") ?? "";
      const body = (contentType.includes("json") && text ? JSON.parse(text) : text) as T;
      return { status: response.status, headers: response.headers as unknown as Headers, body, contentType };
    },
    close: () => dispatcher.close(),
  };
}
