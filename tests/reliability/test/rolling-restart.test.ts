import { Agent as HttpsAgent } from "node:https";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, request } from "../src/http.js";
import { sleep, startLoad } from "../src/load.js";
import { createJob, jobInput, newUser, startPlatform } from "../src/platform.js";
import type { Platform, Service, User } from "../src/platform.js";

describe("rolling restart behind the HTTPS ingress", () => {
  let platform: Platform;
  let user: User;
  let jobId: string;

  beforeAll(async () => {
    // A drain delay covers the race between taking an instance out of nginx and its SIGTERM, as preStop does on GKE.
    platform = await startPlatform({
      appAInstances: 2,
      appBInstances: 2,
      ingress: true,
      appAEnv: { SHUTDOWN_DRAIN_DELAY_MS: "1000" },
      appBEnv: { SHUTDOWN_DRAIN_DELAY_MS: "1000" },
    });
    user = await newUser(platform.appB[0]!.url);
    jobId = await createJob(platform.appA[0]!.url, user.accessToken);
  });

  afterAll(async () => {
    // Undefined when beforeAll failed: report that failure, not a second one here.
    await (platform as Platform | undefined)?.stop();
  });

  it("when every instance of both apps is replaced in turn under steady load, then no request fails", async () => {
    const ingress = platform.ingress!;
    const ca = platform.caPem!;
    // A new connection per request: an nginx reload closes idle client keep-alive connections, and a request racing
    // that close fails on the local ingress only (the Gateway's front ends are not reloaded on endpoint changes).
    // The app side (drain, in-flight requests, upstream switch) is what this test proves.
    const agent = new HttpsAgent({ keepAlive: false, ca });
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const created: string[] = [];
    // Reads and writes on app-a plus the JWKS on app-b: both route families of the ingress stay busy.
    const load = startLoad({
      workers: 6,
      maxRequests: 50_000,
      maxDurationMs: 90_000,
      send: (i) => {
        if (i % 5 === 0) {
          return request(`${ingress.httpsUrl}/v1/jobs`, {
            agent,
            method: "POST",
            headers: auth,
            body: JSON.stringify(jobInput(i)),
          });
        }
        const path = i % 5 === 1 ? "/.well-known/jwks.json" : `/v1/jobs/${jobId}`;
        return request(`${ingress.httpsUrl}${path}`, { agent, headers: auth });
      },
      ok: (res) => res.status === 200 || res.status === 201,
      onResult: (res) => {
        if (res.status === 201) created.push(json<{ id: string }>(res).id);
      },
    });
    await sleep(1000);

    const exitCodes: number[] = [];
    const replace = async (list: Service[], index: number, start: () => Promise<Service>): Promise<void> => {
      const old = list[index]!;
      const fresh = await start(); // startAppProcess resolves once /readyz answers 200
      list[index] = fresh;
      // Like a Kubernetes endpoint update racing SIGTERM: the ingress forgets the old instance while it drains.
      const upstreams = ingress.setUpstreams({
        "app-a": platform.appA.map((s) => s.url),
        "app-b": platform.appB.map((s) => s.url),
      });
      const stopped = old.stop("SIGTERM");
      await upstreams;
      exitCodes.push(await stopped);
      await sleep(500);
    };
    for (let i = 0; i < platform.appB.length; i++)
      await replace(platform.appB, i, () => platform.startAppB());
    for (let i = 0; i < platform.appA.length; i++) {
      await replace(platform.appA, i, () => platform.startAppA());
    }
    await sleep(1000);
    const stats = await load.stop();
    agent.destroy();

    expect(exitCodes).toEqual([0, 0, 0, 0]);
    expect(stats.networkErrors).toEqual([]);
    expect(stats.failures).toEqual([]);
    expect(stats.sent).toBeGreaterThan(200);
    console.log(`rolling restart: ${stats.sent} requests, statuses ${JSON.stringify(stats.byStatus)}`);

    // Every write the clients saw acknowledged is readable through the new instances.
    for (const id of created.slice(-20)) {
      const res = await request(`${ingress.httpsUrl}/v1/jobs/${id}`, { ca, headers: auth });
      expect(res.status).toBe(200);
    }
  });

  it("when SIGTERM arrives while a request is in flight, then that request still completes", async () => {
    const instance = await platform.startAppA();
    const url = new URL(instance.url);
    const body = JSON.stringify(jobInput(1));
    const half = Math.floor(body.length / 2);
    // A raw socket sends the headers and half the body, so the request is provably in flight at SIGTERM.
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    const response = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("close", () => {
        resolve(text);
      });
    });
    socket.write(
      `POST /v1/jobs HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
        body.slice(0, half),
    );
    await sleep(200);
    const stopped = instance.stop("SIGTERM");
    await sleep(300);
    socket.write(body.slice(half));
    const raw = await response;
    expect(raw.split("\r\n")[0]).toBe("HTTP/1.1 201 Created");
    expect(await stopped).toBe(0);
  });
});
