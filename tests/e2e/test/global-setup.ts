import { randomUUID } from "node:crypto";
import { startStack, type Stack } from "@platform/devkit";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    platform: { httpsUrl: string; httpUrl: string; caFile: string; appB: string[]; appA: string[] };
  }
}

let stack: Stack | undefined;

/** One platform for the run: own database (or MONGODB_URI), 2 x app-b, 2 x app-a, nginx HTTPS ingress. */
export async function setup(project: TestProject): Promise<void> {
  // Unique database names: a shared MONGODB_URI server may hold other runs' data.
  const run = randomUUID().slice(0, 8);
  stack = await startStack({
    instances: 2,
    ingress: { healthCheck: { intervalMs: 250 } },
    env: { NODE_ENV: "test", LOG_LEVEL: "warn" },
    appAEnv: { MONGODB_DB: `e2e_jobs_${run}` },
    appBEnv: { MONGODB_DB: `e2e_auth_${run}` },
  });
  const ingress = stack.ingress;
  if (!ingress) throw new Error("startStack did not start the ingress");
  project.provide("platform", {
    httpsUrl: ingress.httpsUrl,
    httpUrl: ingress.httpUrl,
    caFile: ingress.caFile,
    appA: stack.appA.map((s) => s.url),
    appB: stack.appB.map((s) => s.url),
  });
}

export async function teardown(): Promise<void> {
  const logs = stack ? [...stack.appA, ...stack.appB].flatMap((s) => s.logs()) : [];
  await stack?.stop();
  // A 5xx or a crash in the services fails the run even when every assertion passed.
  const serverErrors = logs.filter((line) => /"severity":"(ERROR|CRITICAL|ALERT|EMERGENCY)"/.test(line));
  if (serverErrors.length > 0) throw new Error(`services logged errors:\n${serverErrors.join("\n")}`);
}
