import { describe, expect, it } from "vitest";
import { Readiness } from "./health.js";

describe("Readiness", () => {
  it("when every check passes, then it is ready", async () => {
    await expect(new Readiness([() => Promise.resolve()]).check()).resolves.toBeUndefined();
  });

  it("when a check hangs, then it fails after the timeout instead of hanging", async () => {
    const readiness = new Readiness([() => new Promise(() => undefined)], { timeoutMs: 50 });
    const started = Date.now();
    await expect(readiness.check()).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("when a check fails, then it is not ready", async () => {
    await expect(new Readiness([() => Promise.reject(new Error("db down"))]).check()).rejects.toThrow(
      "db down",
    );
  });

  it("when shutting down, then it is not ready even with passing checks", async () => {
    const readiness = new Readiness([() => Promise.resolve()]);
    readiness.markShuttingDown();
    expect(readiness.isShuttingDown).toBe(true);
    await expect(readiness.check()).rejects.toThrow(/shutting down/);
  });
});
