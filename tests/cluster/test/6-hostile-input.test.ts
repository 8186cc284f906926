import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEWAY_PATHS, linkedCases, runSchemathesis, writeOpenApiDocuments } from "reliability";
import type { SchemathesisRun, ServiceName } from "reliability";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { httpsJson } from "../src/https.js";
import { recordResult } from "../src/results.js";

const env = inject("cluster");
/** The CI-sized run; `pnpm --filter reliability fuzz` with FUZZ_BASE_URL/FUZZ_CA_FILE is the long one. */
const MAX_EXAMPLES = 30;
const SEED = 20261202;

// Schemathesis through the cluster's Gateway (HTTPS, Traefik, the platform's routes and NetworkPolicies), every
// phase including the stateful one (create, read, update with the returned ETag, delete; register, login,
// refresh), against the services as deployed. The same runner as tests/reliability's run through devkit's ingress.
describe("hostile input through the Gateway (Schemathesis, stateful)", () => {
  let documents: Record<ServiceName, string>;
  let authorization: string;

  beforeAll(async () => {
    documents = await writeOpenApiDocuments(mkdtempSync(join(tmpdir(), "openapi-")));
    const account = { email: `fuzz-${Date.now()}@example.com`, password: "correct horse battery staple" };
    const registered = await httpsJson("POST", `${env.GATEWAY_URL}/v1/auth/register`, env.CA_FILE, account);
    expect(registered.status).toBe(201);
    const login = await httpsJson("POST", `${env.GATEWAY_URL}/v1/auth/login`, env.CA_FILE, account);
    expect(login.status).toBe(200);
    authorization = `Bearer ${(login.json as { accessToken: string }).accessToken}`;
  });

  const fuzz = async (service: ServiceName): Promise<SchemathesisRun> => {
    const run = await runSchemathesis({
      schema: documents[service],
      baseUrl: env.GATEWAY_URL,
      caFile: env.CA_FILE,
      headers: { Authorization: authorization },
      includePathRegex: GATEWAY_PATHS,
      maxExamples: MAX_EXAMPLES,
      seed: SEED,
      timeoutMs: 240_000,
    });
    recordResult(`schemathesis-${service}`, {
      durationMs: run.durationMs,
      exitCode: run.exitCode,
      summary: run.summary,
    });
    console.log(
      `${service} through the Gateway: ${run.durationMs} ms\n${run.output.split("\n").slice(-25).join("\n")}`,
    );
    return run;
  };

  it("when the jobs API is fuzzed through the Gateway with a valid token, then no 5xx, every response matches the document, and linked calls update and delete real jobs", async () => {
    const run = await fuzz("app-a");
    expect(run.summary.findings).toEqual([]);
    expect(run.summary.errors).toEqual([]);
    expect(run.exitCode, run.output).toBe(0);
    expect(linkedCases(run.summary, "PATCH /v1/jobs/{id}", "200")).toBeGreaterThan(0);
    expect(linkedCases(run.summary, "DELETE /v1/jobs/{id}", "204")).toBeGreaterThan(0);
  }, 300_000);

  it("when the auth API is fuzzed through the Gateway, then no 5xx and every response matches the document", async () => {
    const run = await fuzz("app-b");
    expect(run.summary.findings).toEqual([]);
    expect(run.summary.errors).toEqual([]);
    expect(run.exitCode, run.output).toBe(0);
  }, 300_000);
});
