import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProblem, json, keepAliveAgent, request } from "../src/http.js";
import { eventually, sleep, startLoad } from "../src/load.js";
import { jobInput, newUser, startPlatform } from "../src/platform.js";
import type { Platform, User } from "../src/platform.js";

describe("database outage under load", () => {
  let platform: Platform;
  let user: User;

  beforeAll(async () => {
    platform = await startPlatform({ ownDatabase: true });
    user = await newUser(platform.appB[0]!.url);
  });

  afterAll(async () => {
    // Undefined when beforeAll failed: report that failure, not a second one here.
    await (platform as Platform | undefined)?.stop();
  });

  it("when the database stops and returns, then app-a fails fast with 503, recovers, and keeps every acknowledged write", async () => {
    const appA = platform.appA[0]!;
    const agent = keepAliveAgent(appA.url);
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const acknowledged: string[] = [];
    const unexpected: string[] = [];
    let slowest503 = 0;
    let count503 = 0;
    const load = startLoad({
      workers: 4,
      maxRequests: 20_000,
      maxDurationMs: 90_000,
      send: (i) =>
        request(`${appA.url}/v1/jobs`, {
          agent,
          method: "POST",
          headers: auth,
          body: JSON.stringify(jobInput(i)),
        }),
      ok: (res) => res.status === 201 || res.status === 503,
      onResult: (res) => {
        if (res.status === 201) acknowledged.push(json<{ id: string }>(res).id);
        else if (res.status === 503) {
          count503++;
          slowest503 = Math.max(slowest503, res.ms);
          if (!isProblem(res, 503)) unexpected.push(`503 without problem+json: ${res.body.slice(0, 200)}`);
        }
      },
    });
    await sleep(1500);
    const beforeOutage = acknowledged.length;

    await platform.mongo.stop();
    const notReadyAfter = await eventually(
      async () => (await request(`${appA.url}/readyz`, { timeoutMs: 2000 })).status === 503,
      5000,
    );
    await sleep(3000); // outage under load
    const liveness = await request(`${appA.url}/healthz`);

    await platform.mongo.restart();
    const readyAfter = await eventually(
      async () => (await request(`${appA.url}/readyz`, { timeoutMs: 2000 })).status === 200,
      30_000,
      250,
    );
    const atRecovery = acknowledged.length;
    await sleep(2000); // writes succeed again
    const stats = await load.stop();
    agent.destroy();

    console.log(
      `db outage: ${stats.sent} writes, ${acknowledged.length} acknowledged (${beforeOutage} before the outage), ` +
        `${count503} x 503 (slowest ${slowest503.toFixed(0)} ms), /readyz 503 after ${notReadyAfter} ms, ` +
        `ready again ${readyAfter} ms after restart`,
    );
    expect(liveness.status).toBe(200); // the process did not crash
    expect(appA.pid).toBeGreaterThan(0);
    expect(stats.networkErrors).toEqual([]);
    // A 500 means an error the service did not recognise as "database unavailable": show its log line.
    expect(appA.logs().filter((line) => line.includes('"unhandled error"'))).toEqual([]);
    expect(stats.failures).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(count503).toBeGreaterThan(0);
    expect(slowest503).toBeLessThan(5000); // fail fast, not hang
    expect(acknowledged.length).toBeGreaterThan(atRecovery); // recovered by itself

    // Every acknowledged write is there: count them through the API after recovery.
    let present = 0;
    const reader = keepAliveAgent(appA.url);
    const queue = [...acknowledged];
    const check = async (): Promise<void> => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
        const res = await request(`${appA.url}/v1/jobs/${id}`, { agent: reader, headers: auth });
        if (res.status === 200) present++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, check));
    reader.destroy();
    console.log(`db outage: ${present}/${acknowledged.length} acknowledged writes present afterwards`);
    expect(present).toBe(acknowledged.length);
  });
});
