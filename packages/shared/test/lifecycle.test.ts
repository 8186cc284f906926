import { request } from "node:http";
import { describe, expect, it } from "vitest";
import {
  createBaseApp,
  createLogger,
  createMetrics,
  finishApp,
  healthRoutes,
  Readiness,
  runHttpService,
} from "../src/index.js";

/** Raw node:http GET so the Connection header the server sends is visible. */
function get(
  port: number,
  path: string,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("runHttpService", () => {
  it("when closed during a slow request, then readiness fails first, the request finishes, and resources close", async () => {
    const logger = createLogger({ service: "test", level: "silent" });
    const metrics = createMetrics({ service: "test" });
    const readiness = new Readiness([]);
    const app = createBaseApp({ logger, metrics, bodyLimit: "1kb", trustProxy: false, version: "1.0.0" });
    app.use(healthRoutes({ readiness }));
    // The slow request is ordered by events, not sleeps, so a loaded CI machine cannot reorder the steps:
    // it is answered only once the test releases it, after the drain delay has passed and the server is closing.
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const slowReleased = new Promise<void>((resolve) => (release = resolve));
    app.get("/slow", async (_req, res) => {
      arrived();
      await slowReleased;
      res.json({ done: true });
    });
    finishApp(app, { logger });
    const closed: string[] = [];
    const service = await runHttpService({
      app,
      host: "127.0.0.1",
      port: 0,
      logger,
      readiness,
      metrics: { registry: metrics.registry, port: 0 },
      drainDelayMs: 1000,
      shutdownTimeoutMs: 5000,
      onClose: [() => Promise.resolve(void closed.push("mongo"))],
      handleSignals: false,
    });
    expect(service.port).toBeGreaterThan(0);
    expect(service.metricsPort).toBeGreaterThan(0);
    const metricsText = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    expect(metricsText).toContain("process_cpu_user_seconds_total");

    const slow = get(service.port, "/slow");
    await slowArrived;
    const closing = service.close();
    // During the drain delay the server still answers, and /readyz says no.
    expect((await get(service.port, "/readyz")).status).toBe(503);
    // Past the drain delay the listener is closing; the request in flight still gets its answer.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    release();
    expect(await slow).toMatchObject({ status: 200, body: '{"done":true}' });
    await closing;
    expect(closed).toEqual(["mongo"]);
    await expect(get(service.port, "/healthz")).rejects.toThrow();
  });
});
