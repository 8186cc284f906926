import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, repoRoot, startAppProcess, startStack } from "@platform/devkit";
import type { AppProcess, Stack } from "@platform/devkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPS, runMixedLoad, startMixedLoad } from "../src/index.js";
import type { Result } from "../src/index.js";

const appVersion = (app: string): string =>
  (JSON.parse(readFileSync(join(repoRoot(), "apps", app, "package.json"), "utf8")) as { version: string })
    .version;

/** The counters agree with each other: every request is one ok or one failure of one op. */
function expectConsistent(result: Result): void {
  const ops = Object.values(result.byOp);
  expect(ops.reduce((n, c) => n + c.ok + c.failed, 0)).toBe(result.total);
  expect(ops.reduce((n, c) => n + c.failed, 0)).toBe(result.failed);
  expect(Object.values(result.failureKinds).reduce((a, b) => a + b, 0)).toBe(result.failed);
  expect(result.failures).toHaveLength(Math.min(20, result.failed));
  for (const failure of result.failures) expect(failure.reason.length).toBeGreaterThan(10);
}

describe("mixed load through the HTTPS ingress", () => {
  let stack: Stack;
  let httpsUrl: string;
  let caFile: string;
  const run = randomUUID().slice(0, 8);
  const appAEnv = { MONGODB_DB: `load_jobs_${run}` };

  beforeAll(async () => {
    stack = await startStack({
      instances: 2,
      ingress: { healthCheck: { intervalMs: 250 } },
      nodeEnv: "test",
      // A drain delay covers the race between taking an instance out of nginx and its SIGTERM, as preStop does.
      env: { LOG_LEVEL: "info", SHUTDOWN_DRAIN_DELAY_MS: "1000" },
      serviceEnv: { "app-a": appAEnv, "app-b": { MONGODB_DB: `load_auth_${run}` } },
    });
    httpsUrl = stack.ingress!.httpsUrl;
    caFile = stack.ingress!.caFile;
  });

  afterAll(async () => {
    await (stack as Stack | undefined)?.stop();
  });

  it("when 2,000 requests run on a healthy platform, then none fails and every operation was exercised", async () => {
    const result = await runMixedLoad({
      baseUrl: httpsUrl,
      caFile,
      requests: 2000,
      durationMs: 120_000,
      connections: 8,
      seed: 1,
    });

    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.total).toBe(2000);
    for (const op of OPS) expect(result.byOp[op]?.ok, op).toBeGreaterThan(0);
    // The stale If-Match updates are the 412s, and they count as successes.
    expect(result.byStatus["412"]).toBe(result.byOp["update-stale"]?.ok);
    expect(result.versionsSeen).toEqual({
      [`app-a@${appVersion("app-a")}`]: expect.any(Number) as number,
      [`app-b@${appVersion("app-b")}`]: expect.any(Number) as number,
    });
    expect(Object.values(result.versionsSeen).reduce((a, b) => a + b, 0)).toBe(2000);
    expectConsistent(result);
  });

  it("when app-a is rolled to a new version and an app-b instance restarted under load, then what failed is counted and the new version serves", async () => {
    const v2 = `9.9.9-load.${run}`;
    const load = startMixedLoad({
      baseUrl: httpsUrl,
      caFile,
      requests: 100_000,
      durationMs: 90_000,
      connections: 8,
    });
    const ingress = stack.ingress!;
    const waitForRequests = async (n: number) => {
      for (let i = 0; i < 600 && load.snapshot().total < n; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await waitForRequests(300);

    // Like a Deployment's rolling update: start a v2 Pod, move the endpoints to it, then stop a v1 Pod.
    const exitCodes: number[] = [];
    for (let i = 0; i < stack.appA.length; i++) {
      const fresh: AppProcess = await startAppProcess({
        app: "app-a",
        env: {
          NODE_ENV: "test",
          LOG_LEVEL: "info",
          SHUTDOWN_DRAIN_DELAY_MS: "1000",
          MONGODB_URI: stack.mongo.uri,
          JWKS_URL: `${stack.appB[0]!.url}/.well-known/jwks.json`,
          SERVICE_VERSION: v2,
          ...appAEnv,
        },
      });
      const old = stack.appA[i]!;
      stack.appA[i] = fresh;
      const upstreams = ingress.setUpstreams({
        "app-a": stack.appA.map((s) => s.url),
        "app-b": stack.appB.map((s) => s.url),
      });
      const stopped = old.stop("SIGTERM");
      await upstreams;
      exitCodes.push(await stopped);
    }
    await stack.restartApp("app-b", 0);
    const before = load.snapshot().total;
    await waitForRequests(before + 300);
    const result = await load.stop();

    console.log(
      `rollout under load: ${result.total} requests, ${result.failed} failed ${JSON.stringify(result.failureKinds)}, ` +
        `versions ${JSON.stringify(result.versionsSeen)}, first failures ${JSON.stringify(result.failures.slice(0, 3))}`,
    );
    expect(exitCodes).toEqual([0, 0]);
    expectConsistent(result);
    expect(result.total).toBeGreaterThan(before);
    const v1Key = `app-a@${appVersion("app-a")}`;
    const v2Key = `app-a@${v2}`;
    expect(result.versionsSeen[v1Key]).toBeGreaterThan(0);
    expect(result.versionsSeen[v2Key]).toBeGreaterThan(0);
    // v1 answered first and v2 last: the windows show the switch.
    expect(result.versionWindows[v1Key]!.firstMs).toBeLessThan(result.versionWindows[v2Key]!.firstMs);
    expect(result.versionWindows[v2Key]!.lastMs).toBeGreaterThan(result.versionWindows[v1Key]!.lastMs);
    // The stop() call ended the run early: fewer requests than the budget, well within the time limit.
    expect(result.total).toBeLessThan(100_000);
    expect(result.elapsedMs).toBeLessThan(90_000);
  });

  it("when the CLI runs a bounded load, then it exits 0 and writes the result as JSON", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "load-cli-")), "out.json");
    const cli = join(import.meta.dirname, "..", "dist", "cli.js");
    const args = ["--base-url", httpsUrl, "--ca-file", caFile, "--requests", "300", "--connections", "4"];
    await promisify(execFile)(process.execPath, [cli, ...args, "--json", out], { timeout: 60_000 });
    const result = JSON.parse(readFileSync(out, "utf8")) as Result;
    expect(result).toMatchObject({ total: 300, failed: 0 });
  });
});

describe("mixed load against a target that cannot serve", () => {
  it("when nothing listens on the port, then every request is counted as failed with the connection error", async () => {
    const port = await freePort();
    const result = await runMixedLoad({ baseUrl: `https://127.0.0.1:${port}`, requests: 50, connections: 4 });

    expect(result.total).toBe(50);
    expect(result.failed).toBe(50);
    expect(result.failureKinds).toEqual({ ECONNREFUSED: 50 });
    expect(result.failures[0]?.reason).toMatch(/^POST \/v1\/auth\/register: ECONNREFUSED/);
    expect(result.versionsSeen).toEqual({});
    expectConsistent(result);
  });

  it("when every answer is a 503, then every request is counted as failed with its status and the version is still seen", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/problem+json", "x-app-version": "0.0.1-broken" });
      res.end('{"status":503}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runMixedLoad({
        baseUrl: `http://127.0.0.1:${port}`,
        durationMs: 500,
        connections: 2,
      });

      expect(result.total).toBeGreaterThan(0);
      expect(result.failed).toBe(result.total);
      expect(result.failureKinds).toEqual({ "status 503": result.total });
      expect(result.failures[0]?.reason).toContain("expected 201, got 503");
      expect(result.versionsSeen).toEqual({ "app-b@0.0.1-broken": result.total });
      expectConsistent(result);
    } finally {
      server.close();
    }
  });
});
