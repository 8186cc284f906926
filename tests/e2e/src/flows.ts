import { randomUUID } from "node:crypto";
import type { Api, ApiResponse } from "./client.js";

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface User {
  id: string;
  email: string;
  password: string;
  tokens: TokenPair;
}

export interface Job {
  id: string;
  title: string;
  company: string;
  location: string;
  description: string;
  status: "draft" | "open" | "closed";
  ownerId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Test data factory: a unique email so runs against a shared database never collide. */
export function buildCredentials(): { email: string; password: string } {
  return { email: `e2e-${randomUUID()}@example.com`, password: `pw-${randomUUID()}` };
}

/** Registers and logs in a fresh user through the ingress; throws with the response when a step fails. */
export async function registerAndLogin(api: Api): Promise<User> {
  const credentials = buildCredentials();
  const registered = await api.request<{ id: string; email: string }>("POST", "/v1/auth/register", {
    body: credentials,
  });
  expectStatus(registered, 201);
  const login = await api.request<TokenPair>("POST", "/v1/auth/login", { body: credentials });
  expectStatus(login, 200);
  return {
    id: registered.body.id,
    email: credentials.email,
    password: credentials.password,
    tokens: login.body,
  };
}

export function expectStatus(response: ApiResponse, status: number): void {
  if (response.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
}
