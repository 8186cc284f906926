import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_MONGODB_URI } from "./support/database.js";
import { startServiceProcess } from "./support/process.js";

/** The built service as a real process: start-up checks, readiness, SIGTERM. Needs `pnpm build` first. */
const dbName = `appb_process_${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  const client = new MongoClient(TEST_MONGODB_URI);
  await client.db(dbName).dropDatabase();
  await client.close();
});

describe("app-b process", () => {
  it("when production has no signing keys, then it exits 1 naming JWT_SIGNING_KEYS", async () => {
    const service = startServiceProcess({
      NODE_ENV: "production",
      MONGODB_URI: TEST_MONGODB_URI,
      JWT_ISSUER: "https://auth.example.com",
      TRUST_PROXY: "1",
    });
    expect(await service.exited).toBe(1);
    expect(service.lines().join("\n")).toMatch(/JWT_SIGNING_KEYS: required when NODE_ENV=production/);
  });

  it("when started in development, then it logs listening, becomes ready, and exits 0 on SIGTERM", async () => {
    const service = startServiceProcess({
      MONGODB_URI: TEST_MONGODB_URI,
      MONGODB_DB: dbName,
      LOG_LEVEL: "info",
    });
    expect(await service.waitForMessage("listening")).toMatchObject({ severity: "INFO" });
    const listening = await service.waitForListening();
    expect(listening).toMatchObject({ port: expect.any(Number), metricsPort: expect.any(Number) });
    const base = `http://127.0.0.1:${listening.port}`;
    await service.waitForMessage("indexes ready");
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${String(listening.metricsPort)}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",route="/readyz",status="200"');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect(await service.process.stop("SIGTERM")).toBe(0);
    expect(service.lines().some((l) => l.includes('"shutdown complete"'))).toBe(true);
  });
});
