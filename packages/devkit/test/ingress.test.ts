import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:tls";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngress, waitFor } from "../src/index.js";
import type { Ingress } from "../src/index.js";

interface Upstream {
  name: string;
  server: Server;
  address: string;
  hits: number;
  ready: boolean;
  status: number;
}

/** A tiny upstream that echoes what nginx forwarded and can be made unready or failing. */
async function upstream(name: string): Promise<Upstream> {
  const state = { name, hits: 0, ready: true, status: 200 } as Upstream;
  state.server = createServer((req, res) => {
    if (req.url === "/readyz") {
      res.statusCode = state.ready ? 200 : 503;
      res.end();
      return;
    }
    state.hits += 1;
    res.statusCode = state.status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ name, url: req.url, method: req.method, headers: req.headers }));
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  const address = state.server.address();
  state.address = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return state;
}

let a1: Upstream, a2: Upstream, b1: Upstream;
let ingress: Ingress;
let dispatcher: Agent;

interface Echo {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
}
const get = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
  const response = await fetch(`${ingress.httpsUrl}${path}`, { ...init, dispatcher, redirect: "manual" });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Echo };
};

beforeAll(async () => {
  [a1, a2, b1] = await Promise.all([upstream("a1"), upstream("a2"), upstream("b1")]);
  ingress = await startIngress({
    upstreams: { "app-a": [a1.address, `http://${a2.address}`], "app-b": [b1.address] },
    healthCheck: { intervalMs: 100 },
  });
  dispatcher = new Agent({ connect: { ca: readFileSync(ingress.caFile) } });
});

afterAll(async () => {
  await ingress.stop();
  await dispatcher.close();
  for (const u of [a1, a2, b1]) u.server.close();
});

describe("startIngress routing (like the Gateway's HTTPRoutes)", () => {
  it.each([
    ["/v1/auth/login", "b"],
    ["/v1/auth", "b"],
    ["/.well-known/jwks.json", "b"],
    ["/v1/jobs?status=open", "a"],
    ["/v1/authority", "a"],
    ["/v1", "a"],
  ])("when %s is requested over HTTPS, then app-%s answers", async (path, app) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.json().name.startsWith(app)).toBe(true);
    expect(response.json().url).toBe(path);
  });

  it("when a path outside the routes is requested, then the ingress answers a 404 problem document", async () => {
    const response = await get("/readyz");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.parse(response.text)).toMatchObject({ status: 404, title: "Not Found" });
  });

  it.each([
    ["request line", { path: `/v1/jobs?company=${"%C3%A9".repeat(2000)}` }, 414, "URI Too Long"],
    ["header", { headers: { "x-filler": "a".repeat(10_000) } }, 431, "Request Header Fields Too Large"],
  ])(
    "when a %s is over the ingress's 8 KB, then it answers %s as a problem document, not nginx's HTML",
    async (_part, request: { path?: string; headers?: Record<string, string> }, status, title) => {
      const response = await get(request.path ?? "/v1/jobs", { headers: request.headers ?? {} });
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(JSON.parse(response.text)).toEqual({ type: "about:blank", title, status });
    },
  );

  it("when a request is malformed or names the ingress's own error pages, then the answer is a problem document too", async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        {
          host: "127.0.0.1",
          port: Number(new URL(ingress.httpsUrl).port),
          servername: "localhost",
          ca: readFileSync(ingress.caFile),
        },
        () => {
          socket.end("GET /v1/jobs HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n");
        },
      );
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => {
        resolve(text);
      });
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain("Content-Type: application/problem+json");
    const internal = await get("/.ingress-errors/414");
    expect(internal.status).toBe(404);
    expect(internal.headers.get("content-type")).toBe("application/problem+json");
  });

  it("when proxied, then forwarding headers and a request id reach the upstream", async () => {
    const { headers } = (await get("/v1/jobs")).json();
    expect(headers["x-forwarded-proto"]).toBe("https");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    const own = (await get("/v1/jobs", { headers: { "x-request-id": "caller-id-1" } })).json();
    expect(own.headers["x-request-id"]).toBe("caller-id-1");
  });

  it("when plain HTTP is requested, then it is redirected to the HTTPS URL with 301", async () => {
    const response = await fetch(`${ingress.httpUrl}/v1/jobs?limit=5`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(`${ingress.httpsUrl}/v1/jobs?limit=5`);
  });

  it("when a client offers only TLS 1.1, then the handshake fails; TLS 1.3 succeeds", async () => {
    const handshake = (maxVersion: "TLSv1.1" | "TLSv1.3") =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({
          host: "127.0.0.1",
          port: Number(new URL(ingress.httpsUrl).port),
          servername: "localhost",
          ca: readFileSync(ingress.caFile),
          minVersion: "TLSv1",
          maxVersion,
        });
        socket.once("secureConnect", () => {
          resolve(socket.getProtocol() ?? "");
          socket.destroy();
        });
        socket.once("error", reject);
      });
    await expect(handshake("TLSv1.1")).rejects.toThrow();
    expect(await handshake("TLSv1.3")).toBe("TLSv1.3");
  });
});

describe("startIngress upstream behaviour", () => {
  it("when requests repeat, then both app-a instances share them", async () => {
    a1.hits = a2.hits = 0;
    for (let i = 0; i < 10; i++) await get("/v1/jobs");
    expect(a1.hits).toBeGreaterThan(0);
    expect(a2.hits).toBeGreaterThan(0);
  });

  it("when an instance answers 503 to a GET, then nginx retries on the other one", async () => {
    a1.status = 503;
    try {
      for (let i = 0; i < 6; i++) expect((await get("/v1/jobs")).status).toBe(200);
    } finally {
      a1.status = 200;
    }
  });

  it("when an instance answers 503 to a POST it received, then nginx does not send the write again", async () => {
    a1.status = a2.status = 503;
    a1.hits = a2.hits = 0;
    try {
      expect((await get("/v1/jobs", { method: "POST" })).status).toBe(503);
      expect(a1.hits + a2.hits).toBe(1);
    } finally {
      a1.status = a2.status = 200;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // max_fails window ends
  });

  it("when an instance fails its /readyz check, then it is marked down and gets no traffic until ready", async () => {
    a1.ready = false;
    await waitFor(() => ingress.downInstances().includes(a1.address), { description: "a1 marked down" });
    a1.hits = 0;
    for (let i = 0; i < 6; i++) expect((await get("/v1/jobs")).json().name).toBe("a2");
    expect(a1.hits).toBe(0);
    a1.ready = true;
    await waitFor(() => ingress.downInstances().length === 0, { description: "a1 back" });
  });

  it("when an instance dies, then requests still succeed through the other one", async () => {
    const spare = await upstream("a3");
    await ingress.setUpstreams({ "app-a": [a2.address, spare.address], "app-b": [b1.address] });
    await new Promise<void>((resolve) => {
      spare.server.close(() => {
        resolve();
      });
    });
    spare.server.closeAllConnections();
    for (let i = 0; i < 6; i++) {
      const response = await get("/v1/jobs", { method: i % 2 ? "POST" : "GET" });
      expect(response.status).toBe(200);
      expect(response.json().name).toBe("a2");
    }
  });

  it("when upstreams are replaced, then the new config serves at once", async () => {
    await ingress.setUpstreams({ "app-a": [a1.address] });
    expect((await get("/v1/jobs")).json().name).toBe("a1");
    const noAuth = await get("/v1/auth/login");
    expect(noAuth.status).toBe(502);
    expect(JSON.parse(noAuth.text)).toMatchObject({ status: 502, title: "Bad Gateway" });
    await ingress.setUpstreams({ "app-a": [a1.address, a2.address], "app-b": [b1.address] });
    expect((await get("/v1/auth/login")).status).toBe(200);
  });
});
