import { describe, expect, it } from "vitest";
import { retryInBackground } from "./background-task.js";

describe("retryInBackground", () => {
  it("when the task fails twice and then succeeds, then it is not ready until the third attempt", async () => {
    let attempts = 0;
    const errors: number[] = [];
    const task = retryInBackground(
      () => {
        attempts++;
        return attempts < 3 ? Promise.reject(new Error("db down")) : Promise.resolve();
      },
      { name: "indexes", initialDelayMs: 1, onError: (_e, attempt) => errors.push(attempt) },
    );
    await expect(task.check()).rejects.toThrow("indexes has not completed yet");
    await task.settled;
    await expect(task.check()).resolves.toBeUndefined();
    expect(attempts).toBe(3);
    expect(errors).toEqual([1, 2]);
  });

  it("when stopped while waiting to retry, then it stops trying and stays not ready", async () => {
    let attempts = 0;
    const task = retryInBackground(
      () => {
        attempts++;
        return Promise.reject(new Error("db down"));
      },
      { name: "indexes", initialDelayMs: 60_000 },
    );
    await new Promise((resolve) => setImmediate(resolve));
    task.stop();
    await task.settled;
    expect(attempts).toBe(1);
    await expect(task.check()).rejects.toThrow();
  });
});
