import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cpuMsPerRequestInPod, latestPodCapacityFile, POD_BOUND_THROTTLED_PERIODS } from "./results.js";
import type { PodCapacityRun } from "./results.js";

const run = (
  steps: [offered: number, meets: boolean, cpuMs: number, throttled?: number][],
): PodCapacityRun => ({
  app: "app-b",
  op: "login",
  limit: "production",
  p99ObjectiveMs: 300,
  steps: steps.map(([offered, meets, cpuMsPerRequest, throttled = 0]) => ({
    offered,
    meets,
    cpuMsPerRequest,
    throttled,
  })),
});

describe("cpuMsPerRequestInPod", () => {
  it("when steps met the objective and the pod saturated, then it is the median CPU per request below the first miss", () => {
    expect(
      cpuMsPerRequestInPod(
        run([
          [24, false, 39.4, 98],
          [8, true, 35.6, 2],
          [16, true, 34.8, 2],
          [32, true, 20],
        ]),
      ),
    ).toBeCloseTo(35.2, 9);
    expect(
      cpuMsPerRequestInPod(
        run([
          [8, true, 30],
          [16, true, 40],
          [24, true, 35],
        ]),
      ),
    ).toBe(35);
  });

  it("when the first step missed, then there is no figure", () => {
    expect(
      cpuMsPerRequestInPod(
        run([
          [8, false, 35, 100],
          [16, true, 30],
        ]),
      ),
    ).toBeUndefined();
  });

  it("when something other than the pod saturated (the first miss barely throttled), then there is no figure", () => {
    // The refresh run of 2026-12-03: FerretDB saturated at ~48/s with the pod at 0.48 cores.
    const refresh = run([
      [25, true, 12.9, 0],
      [50, false, 9.9, 5],
    ]);
    expect(cpuMsPerRequestInPod(refresh)).toBeUndefined();
    expect(
      cpuMsPerRequestInPod(
        run([
          [25, true, 12.9, 0],
          [50, false, 9.9, POD_BOUND_THROTTLED_PERIODS],
        ]),
      ),
    ).toBe(12.9);
  });
});

describe("latestPodCapacityFile", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("when runs of several dates, limits and apps are committed, then it is the newest production run of that app's op", () => {
    dir = mkdtempSync(join(tmpdir(), "pod-capacity-"));
    for (const name of [
      "pod-capacity-2026-12-02-production-app-b-login.json",
      "pod-capacity-2026-12-03-production-app-b-login.json",
      "pod-capacity-2026-12-04-request-app-b-login.json",
      "pod-capacity-2026-12-05-production-app-a-get-job.json",
      "pod-capacity-2026-12-03-production-app-b-login.md",
    ])
      writeFileSync(join(dir, name), "{}");
    expect(latestPodCapacityFile(dir, "app-b", "login")).toBe(
      join(dir, "pod-capacity-2026-12-03-production-app-b-login.json"),
    );
    expect(latestPodCapacityFile(dir, "app-b", "refresh")).toBeUndefined();
    expect(latestPodCapacityFile(join(dir, "missing"), "app-b", "login")).toBeUndefined();
  });
});
