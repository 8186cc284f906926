import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOpenApiDocuments } from "../src/openapi-documents.js";
import type { ServiceName } from "../src/openapi-documents.js";
import { FUZZ_APP_B_ENV, newUser, startPlatform } from "../src/platform.js";
import type { Platform } from "../src/platform.js";
import { linkedCases } from "../src/schemathesis-report.js";
import { GATEWAY_PATHS, runSchemathesis } from "../src/schemathesis.js";
import type { SchemathesisRun } from "../src/schemathesis.js";

/**
 * The CI-sized run: every phase including the stateful one, seeded and small, through the ingress's single HTTPS
 * base URL as the Gateway routes it. The documented long run is `pnpm --filter reliability fuzz` (README).
 */
const MAX_EXAMPLES = 50;
const SEED = 20251123;

describe("schema-driven fuzzing through the ingress (schemathesis, stateful)", () => {
  let platform: Platform;
  let documents: Record<ServiceName, string>;
  let authorization: string;

  beforeAll(async () => {
    platform = await startPlatform({ ingress: true, appBEnv: FUZZ_APP_B_ENV });
    documents = await writeOpenApiDocuments(mkdtempSync(join(tmpdir(), "openapi-")));
    const user = await newUser(platform.ingress!.httpsUrl, platform.caPem);
    authorization = `Bearer ${user.accessToken}`;
  });

  afterAll(async () => {
    // Undefined when beforeAll failed: report that failure, not a second one here.
    await (platform as Platform | undefined)?.stop();
  });

  const fuzz = async (service: ServiceName): Promise<SchemathesisRun> => {
    const run = await runSchemathesis({
      schema: documents[service],
      baseUrl: platform.ingress!.httpsUrl,
      caFile: platform.ingress!.caFile,
      headers: { Authorization: authorization },
      includePathRegex: GATEWAY_PATHS,
      maxExamples: MAX_EXAMPLES,
      seed: SEED,
      timeoutMs: 100_000,
    });
    const perOperation = Object.entries(run.summary.operations)
      .filter(([, cases]) => cases.cases > 1)
      .map(
        ([operation, c]) =>
          `${operation}: ${c.cases} cases, ${c.linked.cases} linked ${JSON.stringify(c.byStatus)}`,
      );
    console.log(
      `${service}: ${run.durationMs} ms\n${perOperation.join("\n")}\n${run.output.split("\n").slice(-30).join("\n")}`,
    );
    return run;
  };

  it("when app-a's jobs API is fuzzed with a valid token, then no 5xx, every response matches the document, and the stateful phase updates and deletes real jobs", async () => {
    const run = await fuzz("app-a");
    expect(run.summary.findings).toEqual([]);
    expect(run.summary.errors).toEqual([]);
    expect(run.summary.complete).toBe(true);
    expect(run.exitCode, run.output).toBe(0);
    // A PATCH only succeeds with the ETag of the job's current version: the links chain real calls.
    expect(linkedCases(run.summary, "GET /v1/jobs/{id}", "200")).toBeGreaterThan(0);
    expect(linkedCases(run.summary, "PATCH /v1/jobs/{id}", "200")).toBeGreaterThan(0);
    expect(linkedCases(run.summary, "DELETE /v1/jobs/{id}", "204")).toBeGreaterThan(0);
  }, 120_000);

  it("when app-b's auth API is fuzzed, then no 5xx, every response matches the document, and the stateful phase logs in to registered accounts and uses their refresh tokens", async () => {
    const run = await fuzz("app-b");
    expect(run.summary.findings).toEqual([]);
    expect(run.summary.errors).toEqual([]);
    expect(run.summary.complete).toBe(true);
    expect(run.exitCode, run.output).toBe(0);
    // Logging in succeeds only with the credentials an account was registered with.
    expect(linkedCases(run.summary, "POST /v1/auth/login", "200")).toBeGreaterThan(0);
    expect(
      linkedCases(run.summary, "POST /v1/auth/refresh", "200") +
        linkedCases(run.summary, "POST /v1/auth/logout", "204"),
    ).toBeGreaterThan(0);
  }, 120_000);
});
