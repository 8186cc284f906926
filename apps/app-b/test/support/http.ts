import { randomUUID } from "node:crypto";

/** Small helpers for talking JSON to the service under test. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at loosely typed JSON response bodies
  readonly body: any;
}

export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await readBody(res) };
}

export async function getJson(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await fetch(`${baseUrl}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await readBody(res) };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  return text === "" ? undefined : JSON.parse(text);
}

/** A fresh, valid registration payload; override what a test cares about. */
export function buildUser(overrides: Partial<{ email: string; password: string }> = {}) {
  return {
    email: `user-${randomUUID()}@example.com`,
    password: "correct horse battery staple",
    ...overrides,
  };
}

/** Registers and logs in; returns the credentials and the token pair. */
export async function registerAndLogin(
  baseUrl: string,
  overrides: Partial<{ email: string; password: string }> = {},
) {
  const user = buildUser(overrides);
  const registered = await postJson(baseUrl, "/v1/auth/register", user);
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
  const login = await postJson(baseUrl, "/v1/auth/login", user);
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return {
    user,
    id: registered.body.id as string,
    accessToken: login.body.accessToken as string,
    refreshToken: login.body.refreshToken as string,
  };
}
