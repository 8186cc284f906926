import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildInputs } from "./capacity.js";
import { serviceEntry } from "@platform/contract";
import { DEFAULT_INPUTS } from "./capacity-defaults.js";
import { ceilTo, HOURS_PER_MONTH, planCapacity, podsFor } from "./capacity-model.js";
import type { CapacityInputs } from "./capacity-model.js";

/** Round numbers so every expected value below can be checked with pen and paper. */
function inputs(overrides: Partial<CapacityInputs> = {}): CapacityInputs {
  return {
    ...DEFAULT_INPUTS,
    peakRpm: 600_000, // 10,000 req/s
    appBShare: 0.1, // 1,000 req/s to app-b, 9,000 to app-a
    loginShareOfAppB: 0.1, // 100 logins/s, 900 refreshes/s
    writeShareOfAppA: 0.1, // 900 writes/s, 8,100 reads/s
    appAPerPodRps: 1000,
    appBLoginPerPodRps: 20,
    appBRefreshPerPodRps: 500,
    targetUtilisation: 0.5,
    minReplicas: 2,
    appA: { cpu: 0.5, memoryGiB: 0.25 },
    appB: { cpu: 1, memoryGiB: 0.5 },
    mongo: {
      ...DEFAULT_INPUTS.mongo,
      members: 3,
      readsPerVcpu: 50_000,
      writesPerVcpu: 20_000,
      targetUtilisation: 0.5,
    },
    node: {
      ...DEFAULT_INPUTS.node,
      vcpu: 4,
      memoryGiB: 16,
      reservedCpu: 0,
      reservedMemoryGiB: 0,
      diskGiB: 0,
    },
    averageToPeak: 0.5,
    ...overrides,
  };
}

describe("capacity model arithmetic", () => {
  it("when the rate divides evenly, then pods are rate / (per-pod x utilisation)", () => {
    expect(podsFor(9000, 1000, 0.5, 2)).toBe(18);
    expect(podsFor(9001, 1000, 0.5, 2)).toBe(19);
  });

  it("when the load is tiny, then the minimum replica count still applies", () => {
    expect(podsFor(1, 1000, 0.7, 2)).toBe(2);
  });

  it("when a per-pod rate is zero, then it refuses instead of dividing by zero", () => {
    expect(() => podsFor(100, 0, 0.7, 2)).toThrow(/positive/);
  });

  it("when quantities are rounded to steps, then they round up and keep exact steps", () => {
    expect(ceilTo(1.01, 0.5)).toBe(1.5);
    expect(ceilTo(1.5, 0.5)).toBe(1.5);
    expect(ceilTo(0.1, 0.25)).toBe(0.25);
  });

  it("when traffic is split, then app-a and app-b pods follow the shares and per-pod rates", () => {
    const plan = planCapacity(inputs());
    expect(plan.rps.total).toBe(10_000);
    expect(plan.rps.appA).toBe(9000);
    expect(plan.rps.appBLogin).toBeCloseTo(100);
    expect(plan.rps.appBRefresh).toBeCloseTo(900);
    expect(plan.appAPods).toBe(18); // 9000 / (1000 x 0.5)
    // 100/20 + 900/500 = 5 + 1.8 = 6.8 pods of work, at 50% -> 13.6 -> 14
    expect(plan.appBPods).toBe(14);
  });

  it("when sizing MongoDB, then reads and writes add up per vCPU and round to half cores", () => {
    const plan = planCapacity(
      inputs({ mongo: { ...inputs().mongo, readsPerVcpu: 5000, writesPerVcpu: 2000 } }),
    );
    // reads: 8100 + 1000 = 9100, writes: 900 + 1000 = 1900
    expect(plan.mongo.readOps).toBeCloseTo(9100);
    expect(plan.mongo.writeOps).toBeCloseTo(1900);
    // (9100/5000 + 1900/2000) / 0.5 = (1.82 + 0.95) / 0.5 = 5.54 -> 5.5 steps -> 6
    expect(plan.mongo.cpuPerMember).toBe(6);
    expect(plan.mongo.memoryGiBPerMember).toBe(13); // 6 x 2 + 1
  });

  it("when a MongoDB member outgrows half an app node, then it gets the smallest dedicated node type that fits", () => {
    const plan = planCapacity(
      inputs({ mongo: { ...inputs().mongo, readsPerVcpu: 5000, writesPerVcpu: 2000 } }),
    );
    // 6 vCPU / 13 GiB: e2-standard-4 (3.52 allocatable) is too small, e2-standard-8 (7.51 / 27.8) fits.
    expect(plan.mongo.dedicatedNodeType).toBe("e2-standard-8");
    expect(plan.monthlyUsd.mongoNodes).toBeCloseTo(3 * (0.2948 * HOURS_PER_MONTH + 50 * 0.1));
    // The app pool then holds only the apps: cpu 18 x 0.5 + 14 x 1 = 23 -> /4 -> 6 nodes + 1
    expect(plan.requested.cpu).toBe(23);
    expect(plan.nodes.peak).toBe(7);
  });

  it("when a MongoDB member would not fit even the largest node type, then it says so", () => {
    const slowMongo = { ...inputs().mongo, readsPerVcpu: 500, writesPerVcpu: 200 };
    expect(() => planCapacity(inputs({ mongo: slowMongo }))).toThrow(/largest node type/);
  });

  it("when everything fits, then nodes come from the larger of CPU and memory plus one of slack", () => {
    const plan = planCapacity(inputs({ mongo: { ...inputs().mongo, minMemoryGiB: 2 } }));
    // mongo: (9100/50000 + 1900/20000)/0.5 = 0.554 -> 1 vCPU, max(2, 1 x 2 + 1) = 3 GiB, shares the app pool
    expect(plan.mongo.cpuPerMember).toBe(1);
    expect(plan.mongo.dedicatedNodeType).toBeUndefined();
    // cpu: 18 x 0.5 + 14 x 1 + 3 x 1 = 26 -> /4 = 6.5 -> 7; memory: 4.5 + 7 + 9 = 20.5 -> /16 -> 2
    expect(plan.requested.cpu).toBe(26);
    expect(plan.requested.memoryGiB).toBe(20.5);
    expect(plan.nodes.byCpu).toBe(7);
    expect(plan.nodes.byMemory).toBe(2);
    expect(plan.nodes.peak).toBe(8);
    expect(plan.nodes.minimum).toBe(4);
    expect(plan.nodes.averageAutoscaled).toBe(6); // 4 + (8 - 4) x 0.5
  });

  it("when costing, then node, fee, disk, LB and egress lines add up to the total", () => {
    const i = inputs();
    const plan = planCapacity(i);
    const c = plan.monthlyUsd;
    expect(c.nodesAutoscaled).toBeCloseTo(6 * i.prices.nodeHourly * HOURS_PER_MONTH);
    expect(c.cluster).toBeCloseTo(73);
    expect(c.disks).toBeCloseTo(3 * 20 * 0.17);
    const gib = (10_000 * 0.5 * 1200 * 3600 * HOURS_PER_MONTH) / 1024 ** 3;
    expect(c.egress).toBeCloseTo(gib * 0.085);
    expect(c.mongoNodes).toBe(0);
    expect(c.total).toBeCloseTo(c.nodesAutoscaled + c.cluster + c.disks + c.loadBalancer + c.egress);
  });

  it("when a share is outside 0..1, then it refuses", () => {
    expect(() => planCapacity(inputs({ appBShare: 1.5 }))).toThrow(/appBShare/);
  });
});

describe("capacity command inputs", () => {
  it("when a results file has per-pod figures, then they replace the placeholders and flags win over both", () => {
    const dir = mkdtempSync(join(tmpdir(), "capacity-"));
    const perPod = {
      appARead: { cpuRequest: 0.25, rps: 123 },
      appBLogin: { cpuRequest: 0.5, rps: 4 },
      appBRefresh: { cpuRequest: 0.5, rps: 77 },
    };
    writeFileSync(join(dir, "2030-01-02.json"), JSON.stringify({ perPod }));
    writeFileSync(join(dir, "2029-01-01.json"), JSON.stringify({}));
    const { inputs: fromFile, source } = buildInputs(["--", "--rpm", "1_000_000"], dir);
    expect(source).toMatch(/2030-01-02\.json$/);
    // app-a plans with the catalogue's in-pod figure, the one the HPA and the load balancer use; loopback is shown.
    expect(fromFile.appAPerPodRps).toBe(serviceEntry("app-a").requestsPerSecondPerPod);
    expect(source).toContain("loopback upper bound 123");
    writeFileSync(
      join(dir, "2030-01-03.json"),
      JSON.stringify({
        perPod: { ...perPod, appAMixed: { cpuRequest: 0.25, rps: 99, mix: { read: 1, list: 0, write: 0 } } },
      }),
    );
    expect(buildInputs([], dir).source).toContain("loopback upper bound 99");
    expect(fromFile.appBLoginPerPodRps).toBe(4);
    expect(fromFile.peakRpm).toBe(1_000_000);
    const { inputs: flagged } = buildInputs(["--app-a-rps", "500", "--node-hourly", "0.2"], dir);
    expect(buildInputs(["--results", join(dir, "2030-01-02.json")], dir).source).toContain("upper bound 123");
    expect(flagged.appAPerPodRps).toBe(500);
    expect(flagged.prices.nodeHourly).toBe(0.2);
  });

  it("when a flag is not a positive number, then it names the flag", () => {
    expect(() => buildInputs(["--rpm", "lots"], "/nonexistent")).toThrow(/--rpm/);
  });
});
