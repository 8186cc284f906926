import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createClient } from "load-tools";
import { describe, expect, it } from "vitest";
import { runOpenLoopStep } from "../src/open-loop.js";
import type { Clock } from "../src/open-loop.js";

/** Discrete-event virtual time: sleeps and simulated responses run in time order, as fast as the CPU allows. */
class VirtualClock implements Clock {
  private time = 0;
  private events: { at: number; run: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      this.at(at, resolve);
    });
  }

  at(when: number, run: () => void): void {
    this.events.push({ at: Math.max(when, this.time), run });
    this.events.sort((a, b) => a.at - b.at);
  }

  /** A stall of the generator's own thread (GC pause, blocked event loop): time passes, nothing runs. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Runs events until `done` settles (bounded, so a bug cannot loop forever). */
  async runUntil<T>(done: Promise<T>): Promise<T> {
    const progress = { settled: false };
    void done.finally(() => (progress.settled = true));
    for (let i = 0; i < 100_000 && !progress.settled; i++) {
      await new Promise((resolve) => setImmediate(resolve)); // lets the runner's promise chains settle
      const next = this.events.shift();
      if (next) {
        this.time = Math.max(this.time, next.at);
        next.run();
      }
    }
    return done;
  }
}

describe("open-loop step", () => {
  it("when answers take longer than the interval, then requests still go out at their scheduled times", async () => {
    const clock = new VirtualClock();
    const sentAt: number[] = [];
    const step = runOpenLoopStep({
      rate: 10,
      durationMs: 1000,
      clock,
      send: () => {
        sentAt.push(clock.now());
        return new Promise((resolve) => {
          clock.at(clock.now() + 1000, () => {
            resolve(undefined);
          });
        });
      },
    });
    const result = await clock.runUntil(step);

    // A closed loop would have sent at 0, 1000, 2000, ...
    expect(sentAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(result).toMatchObject({ scheduled: 10, ok: 10, errors: 0, sendLagP99Ms: 0, maxSendLagMs: 0 });
    expect(result.latencyMs.max).toBeCloseTo(1000, 6);
  });

  it("when the generator stalls for 1 s, then the requests it sent late count the delay in their latency", async () => {
    const clock = new VirtualClock();
    let i = 0;
    const step = runOpenLoopStep({
      rate: 10,
      durationMs: 1000,
      clock,
      send: () => {
        if (i++ === 5) clock.stall(1000); // request 5 (due at 500) goes out at 1500, and so do 6..9
        return new Promise((resolve) => {
          clock.at(clock.now() + 50, () => {
            resolve(undefined);
          });
        });
      },
    });
    const result = await clock.runUntil(step);

    // From the intended start: 50 x 5, then 1050 (due 500), 950, 850, 750, 650. From the actual send all ten
    // would be 50 ms, and p90 would hide the stall.
    expect(result.latencyMs.p50).toBeLessThanOrEqual(50 * 1.01);
    expect(result.latencyMs.p90).toBeGreaterThanOrEqual(950);
    expect(result.latencyMs.p90).toBeLessThanOrEqual(950 * 1.01);
    expect(result.latencyMs.max).toBeCloseTo(1050, 6);
    expect(result.maxSendLagMs).toBe(900); // request 6, due at 600, sent at 1500
  });

  it("when requests fail or throw, then each counts as an error of its kind and the latency still counts", async () => {
    const clock = new VirtualClock();
    let i = 0;
    const step = runOpenLoopStep({
      rate: 100,
      durationMs: 100,
      clock,
      send: () => {
        const n = i++;
        if (n % 5 === 0) return Promise.reject(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
        return Promise.resolve(n % 5 === 1 ? "status 503" : undefined);
      },
    });
    const result = await clock.runUntil(step);

    expect(result).toMatchObject({
      scheduled: 10,
      ok: 6,
      errors: 4,
      errorRate: 0.4,
      errorsByKind: { ECONNREFUSED: 2, "status 503": 2 },
    });
    expect(result.latencyMs.count).toBe(10);
  });

  it("when more requests are due than may be in flight, then the excess is not sent and counts as client overload", async () => {
    const clock = new VirtualClock();
    let sent = 0;
    const step = runOpenLoopStep({
      rate: 10,
      durationMs: 1000,
      clock,
      maxInFlight: 3,
      send: () => {
        sent++;
        return new Promise((resolve) => {
          clock.at(clock.now() + 10_000, () => {
            resolve(undefined);
          });
        });
      },
    });
    const result = await clock.runUntil(step);

    expect(sent).toBe(3);
    expect(result.errorsByKind).toEqual({ "client overload": 7 });
  });

  it("when a real server takes 200 ms per request over one connection at 10 req/s, then latency includes the wait for the connection", async () => {
    // Loopback only; the server answers every request after a fixed 200 ms.
    const sockets = new Set<Socket>();
    const server = createServer((_req, res) => {
      setTimeout(() => res.end("ok"), 200);
    });
    server.on("connection", (s) => {
      sockets.add(s);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, connections: 1, timeoutMs: 10_000 });
    try {
      const result = await runOpenLoopStep({
        rate: 10,
        durationMs: 1000,
        send: async () => ((await client.send("GET", "/")).status === 200 ? undefined : "status"),
      });

      // Request k waits for the k before it: answered at ~200 (k + 1) ms, due at 100 k, so latency ~200 + 100 k
      // (200 ... 1100 ms). Timed from when the connection took it, every request would be ~200 ms.
      expect(result.ok).toBe(10);
      expect(result.latencyMs.p50).toBeGreaterThan(550);
      expect(result.latencyMs.max).toBeGreaterThan(1000);
      expect(result.latencyMs.max).toBeLessThan(3000);
      expect(result.achievedRps).toBeLessThan(6); // one connection, 200 ms each: at most 5 per second
    } finally {
      await client.close();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
