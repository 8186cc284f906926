/** The load targets of one bench run, built from a started stack. */
import type autocannon from "autocannon";
import type { LoadTarget } from "./load.js";
import { jobBody, login } from "./platform.js";
import type { BenchPlatform } from "./platform.js";

/** Cycles through the seeded jobs so reads are not all answered from one hot document. */
function rotatingGet(prefix: string, ids: readonly string[]): autocannon.Request[] {
  let i = 0;
  return [
    {
      method: "GET",
      setupRequest: (req) => ({ ...req, path: `${prefix}/v1/jobs/${ids[i++ % ids.length] ?? ""}` }),
    },
  ];
}

/**
 * Refresh tokens are single-use, so each request takes a token from a shared pool and its response puts the
 * rotated one back. The pool starts with more tokens than connections so a failed request cannot starve a
 * connection at once.
 */
async function refreshChain(stack: BenchPlatform, connections: number): Promise<autocannon.Request[]> {
  const pool: string[] = [];
  for (let i = 0; i < connections + 8; i++) {
    pool.push(String((await login(stack.appB.url, stack.email, stack.password)).refreshToken));
  }
  return [
    {
      method: "POST",
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ refreshToken: pool.shift() ?? "pool-empty" }),
      }),
      onResponse: (status, body) => {
        if (status === 200) pool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
      },
    },
  ];
}

export interface ServiceScenarios {
  readonly reads: LoadTarget;
  readonly list: LoadTarget;
  readonly create: LoadTarget;
  readonly login: LoadTarget;
  readonly refresh: LoadTarget;
  readonly ingressRead?: LoadTarget;
}

export async function serviceScenarios(
  stack: BenchPlatform,
  refreshConnections: number,
): Promise<ServiceScenarios> {
  const auth = { authorization: `Bearer ${stack.accessToken}` };
  const a = { server: "app-a", pid: stack.appA.pid, url: stack.appA.url, headers: auth };
  const b = { server: "app-b", pid: stack.appB.pid, url: stack.appB.url };
  const ingress = stack.ingress;
  return {
    reads: { ...a, name: "app-a GET /v1/jobs/{id}", requests: rotatingGet("", stack.jobIds) },
    list: { ...a, name: "app-a GET /v1/jobs (list)", path: "/v1/jobs?limit=20" },
    create: {
      ...a,
      name: "app-a POST /v1/jobs",
      method: "POST",
      path: "/v1/jobs",
      body: JSON.stringify(jobBody(0)),
    },
    login: {
      ...b,
      name: "app-b POST /v1/auth/login",
      method: "POST",
      path: "/v1/auth/login",
      body: JSON.stringify({ email: stack.email, password: stack.password }),
    },
    refresh: {
      ...b,
      name: "app-b POST /v1/auth/refresh",
      path: "/v1/auth/refresh",
      requests: await refreshChain(stack, refreshConnections),
    },
    ...(ingress && stack.caPem
      ? {
          ingressRead: {
            ...a,
            name: "app-a GET /v1/jobs/{id} via nginx HTTPS",
            url: ingress.httpsUrl,
            requests: rotatingGet("", stack.jobIds),
            tls: { ca: stack.caPem },
          },
        }
      : {}),
  };
}
