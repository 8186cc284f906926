import { randomUUID } from "node:crypto";
import { startStack } from "@platform/devkit";
import type { Stack } from "@platform/devkit";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    platform: {
      httpsUrl: string;
      httpUrl: string;
      caFile: string;
      appB: string[];
      appA: string[];
      /** nginx of `pnpm dev` (answers unrouted paths itself) or a Gateway (its own 404 for those). */
      entryPoint: "nginx" | "gateway";
    };
  }
}

let stack: Stack | undefined;

/**
 * One platform for the run: own database (or MONGODB_URI), 2 x app-b, 2 x app-a, nginx HTTPS ingress. With
 * E2E_GATEWAY_URL (+ E2E_HTTP_URL, E2E_CA_FILE) the flows run against a deployed platform instead, e.g. the
 * Gateway of the local cluster (`pnpm cluster env`); its owner checks the services' logs.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = externalTarget();
  if (external) {
    project.provide("platform", { ...external, appA: [], appB: [], entryPoint: "gateway" });
    return;
  }
  // Unique database names: a shared MONGODB_URI server may hold other runs' data.
  const run = randomUUID().slice(0, 8);
  stack = await startStack({
    instances: 2,
    ingress: { healthCheck: { intervalMs: 250 } },
    nodeEnv: "test",
    env: { LOG_LEVEL: "info" },
    serviceEnv: {
      "app-a": { MONGODB_DB: `e2e_jobs_${run}` },
      "app-b": { MONGODB_DB: `e2e_auth_${run}` },
    },
  });
  const ingress = stack.ingress;
  if (!ingress) throw new Error("startStack did not start the ingress");
  project.provide("platform", {
    httpsUrl: ingress.httpsUrl,
    httpUrl: ingress.httpUrl,
    caFile: ingress.caFile,
    appA: stack.appA.map((s) => s.url),
    appB: stack.appB.map((s) => s.url),
    entryPoint: "nginx",
  });
}

export async function teardown(): Promise<void> {
  const services = stack ? [...stack.appA, ...stack.appB] : [];
  const logs = services.flatMap((s) => s.logs());
  await stack?.stop();
  // The flows only prove the ingress balances if every instance served API traffic.
  const idle = services.filter(
    (s) =>
      !s.logs().some((line) => /"message":"request"/.test(line) && /"route":"\/(v1|\.well-known)/.test(line)),
  );
  if (idle.length > 0)
    throw new Error(`instances that served no API request: ${idle.map((s) => s.url).join(", ")}`);
  // Every flow passed, but did a service answer any API request with a 5xx, or log a critical failure? Either
  // fails the run. (/readyz 503 while indexes are created at start-up is expected.)
  const failures = logs.filter((line) => {
    const entry = parseLogLine(line);
    if (!entry) return false;
    const serverError =
      entry.message === "request" && Number(entry.status) >= 500 && entry.route !== "/readyz";
    return serverError || ["CRITICAL", "ALERT", "EMERGENCY"].includes(String(entry.severity));
  });
  if (failures.length > 0)
    throw new Error(`services answered 5xx or logged critical errors:\n${failures.join("\n")}`);
}

function externalTarget(): { httpsUrl: string; httpUrl: string; caFile: string } | undefined {
  const { E2E_GATEWAY_URL: httpsUrl, E2E_HTTP_URL: httpUrl, E2E_CA_FILE: caFile } = process.env;
  if (!httpsUrl) return undefined;
  if (!httpUrl || !caFile) throw new Error("E2E_GATEWAY_URL needs E2E_HTTP_URL and E2E_CA_FILE too");
  return { httpsUrl: httpsUrl.replace(/\/$/, ""), httpUrl: httpUrl.replace(/\/$/, ""), caFile };
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
