import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "@platform/devkit";
import { repoPath } from "../src/paths.js";

/** One request the fake API received, with its JSON body. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown> | undefined;
}

interface FakeApiOptions {
  /** What GET /v1/jobs/j1 answers (a later step that fails). */
  readonly jobReadStatus?: number;
  /** What DELETE /v1/auth/me answers (404: an app-b from before account deletion, as after a rollback). */
  readonly deleteAccountStatus?: number;
  /** Every request, in order. */
  readonly received?: Received[];
}

/**
 * A stand-in for the Gateway and both apps, answering exactly what the smoke test asks for. `versions` are sent as
 * X-App-Version (the header the smoke test compares with the deployed version).
 */
function fakeApi(versions: { "app-a"?: string; "app-b"?: string }, options: FakeApiOptions = {}) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, app: "app-a" | "app-b", body?: unknown) => {
      const version = versions[app];
      res.writeHead(status, {
        "content-type": "application/json",
        ...(version === undefined ? {} : { "x-app-version": version }),
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const url = req.url ?? "/";
    const authorised = req.headers.authorization === "Bearer token-1";
    let text = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const route = (): [number, "app-a" | "app-b", unknown?] => {
      if (url === "/.well-known/jwks.json") return [200, "app-b", { keys: [{ kid: "k1" }] }];
      if (url === "/v1/auth/register") return [201, "app-b", {}];
      if (url === "/v1/auth/login") return [200, "app-b", { accessToken: "token-1", refreshToken: "r-1" }];
      if (url === "/v1/auth/logout") return [204, "app-b"];
      if (!authorised) return [401, "app-a", { title: "Unauthorized" }];
      if (url === "/v1/auth/me" && req.method === "DELETE")
        return [options.deleteAccountStatus ?? 204, "app-b"];
      if (url === "/v1/jobs" && req.method === "POST") return [201, "app-a", { id: "j1" }];
      if (url === "/v1/jobs/j1" && req.method === "GET")
        return [options.jobReadStatus ?? 200, "app-a", { title: "Smoke test" }];
      if (url === "/v1/jobs/j1" && req.method === "DELETE") return [204, "app-a"];
      if (url === "/v1/jobs?limit=1" && req.method === "GET") return [200, "app-a", { items: [] }];
      return [404, "app-a", {}];
    };
    req.on("end", () => {
      options.received?.push({
        method: req.method ?? "",
        url,
        authorization: req.headers.authorization,
        body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
      });
      send(...route());
    });
  };
}

const servers: { close(): void }[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function smoke(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn("bash", [repoPath(".github/scripts/smoke-test.sh"), ...args], {
    env: { PATH: process.env.PATH, SMOKE_RETRY_SECONDS: "1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on("close", (status) => {
      resolve({ status, stderr });
    }),
  );
}

describe("smoke-test.sh", () => {
  it("when the host name has no DNS record and the Gateway has a private CA, then --resolve-ip and --cacert reach it over HTTPS", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "smoke-tls-"));
    const { certFile: cert, keyFile: key } = await createSelfSignedCertificate(dir, {
      days: 1,
      hosts: ["api.smoke.invalid"],
    });
    const server = createHttpsServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      fakeApi({ "app-a": "1.4.0", "app-b": "2.0.1" }),
    );
    const port = await listen(server);
    // .invalid never resolves (RFC 6761): only --resolve can make this URL work.
    const result = await smoke([
      "--resolve-ip",
      "127.0.0.1",
      "--cacert",
      cert,
      "--expect-version",
      "app-a=1.4.0",
      "--expect-version",
      "app-b=2.0.1",
      `https://api.smoke.invalid:${String(port)}`,
    ]);
    expect(result.stderr).toContain("app-a serves version 1.4.0");
    expect(result.stderr).toContain("app-b serves version 2.0.1");
    expect(result.stderr).toContain("smoke test passed");
    expect(result.status).toBe(0);
  });

  it("when an app serves another version than the one deployed, then the smoke test fails naming both", async () => {
    const port = await listen(createHttpServer(fakeApi({ "app-a": "1.3.9", "app-b": "2.0.1" })));
    const result = await smoke([`http://127.0.0.1:${String(port)}`], {
      SMOKE_ALLOW_HTTP: "1",
      SMOKE_EXPECT_VERSIONS: "app-a=1.4.0 app-b=2.0.1",
    });
    expect(result.stderr).toContain("app-a serves version 1.3.9, but 1.4.0 was deployed");
    expect(result.status).toBe(1);
  });

  it("when the entry point never answers, then the wait is bounded and the failure says what was missing", async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    closed.close(); // nothing listens on the port any more: connection refused
    const started = Date.now();
    const result = await smoke(["--wait", "2", `http://127.0.0.1:${String(port)}`], {
      SMOKE_ALLOW_HTTP: "1",
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.stderr).toContain("waiting for");
    expect(result.stderr).toMatch(/did not answer 200 within 2s; last: connection refused/);
    expect(result.status).toBe(1);
  });

  describe("the smoke test's own account", () => {
    const run = async (options: FakeApiOptions) => {
      const received: Received[] = [];
      const port = await listen(createHttpServer(fakeApi({}, { ...options, received })));
      const result = await smoke([`http://127.0.0.1:${String(port)}`], { SMOKE_ALLOW_HTTP: "1" });
      const registration = received.find((r) => r.url === "/v1/auth/register");
      const deletion = received.find((r) => r.method === "DELETE" && r.url === "/v1/auth/me");
      return { result, received, registration, deletion };
    };

    it("when every step passes, then the account it registered is deleted at the end, with its token and password", async () => {
      const { result, received, registration, deletion } = await run({});
      expect(result.status).toBe(0);
      expect(registration?.body?.["email"]).toMatch(/^smoke-.*@example\.com$/);
      expect(deletion).toEqual({
        method: "DELETE",
        url: "/v1/auth/me",
        authorization: "Bearer token-1",
        body: { password: registration?.body?.["password"] },
      });
      expect(received.at(-1)).toBe(deletion);
      expect(result.stderr).toContain("deleted the smoke test's account");
    });

    it("when a later step fails, then the account is deleted all the same and the run still fails", async () => {
      const { result, deletion } = await run({ jobReadStatus: 500 });
      expect(result.stderr).toContain("read the job back: GET /v1/jobs/j1 answered 500");
      expect(deletion?.authorization).toBe("Bearer token-1");
      expect(result.status).toBe(1);
    });

    it("when the deployed auth service cannot delete accounts (a rollback to an older one), then the run passes and says so", async () => {
      const { result, deletion } = await run({ deleteAccountStatus: 404 });
      expect(deletion).toBeDefined();
      expect(result.stderr).toMatch(
        /could not delete the smoke test's account smoke-.*@example\.com \(HTTP 404\)/,
      );
      expect(result.status).toBe(0);
    });
  });
});
