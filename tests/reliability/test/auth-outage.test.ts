import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../src/http.js";
import { createJob, newUser, startPlatform } from "../src/platform.js";
import type { Platform, User } from "../src/platform.js";

describe("auth service outage", () => {
  let platform: Platform;
  let user: User;
  let jobId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    user = await newUser(platform.appB[0]!.url);
    // The first authenticated request makes app-a fetch and cache the JWKS.
    jobId = await createJob(platform.appA[0]!.url, user.accessToken);
  });

  afterAll(async () => {
    // Undefined when beforeAll failed: report that failure, not a second one here.
    await (platform as Platform | undefined)?.stop();
  });

  it("when app-b is down, then app-a keeps accepting valid tokens from its cached JWKS", async () => {
    const appA = platform.appA[0]!;
    expect(await platform.appB[0]!.stop("SIGTERM")).toBe(0);
    const jwks = await request(`${platform.appB[0]!.url}/.well-known/jwks.json`, { timeoutMs: 1000 }).catch(
      (err: unknown) => err,
    );
    expect(jwks).toBeInstanceOf(Error); // app-b is really gone

    const auth = { authorization: `Bearer ${user.accessToken}` };
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      statuses.push((await request(`${appA.url}/v1/jobs/${jobId}`, { headers: auth })).status);
    }
    const created = await createJob(appA.url, user.accessToken, 2);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(created).toMatch(/\S/);
    console.log(`auth outage: ${statuses.length + 1} authenticated requests served with app-b down`);

    // Garbage still gets 401, not a 5xx, while the key source is unreachable.
    const bad = await request(`${appA.url}/v1/jobs/${jobId}`, {
      headers: { authorization: "Bearer not.a.jwt" },
    });
    expect(bad.status).toBe(401);
  });
});
