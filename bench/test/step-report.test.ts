import { describe, expect, it } from "vitest";
import type { StepMeasurement } from "../src/open-loop.js";
import { parseStepLoadArgs } from "../src/step-load.js";
import { measuredCapacity, renderStepMarkdown } from "../src/step-report.js";

const step = (offeredRps: number, p99: number, errors = 0, scheduled = 10_000): StepMeasurement => ({
  offeredRps,
  durationMs: 20_000,
  scheduled,
  ok: scheduled - errors,
  errors,
  errorRate: errors / scheduled,
  errorsByKind: errors > 0 ? { "status 503": errors } : {},
  achievedRps: offeredRps,
  latencyMs: { count: scheduled, p50: p99 / 2, p90: p99 * 0.8, p99, p999: p99, max: p99 * 2, mean: p99 / 2 },
  sendLagP99Ms: 0.5,
  maxSendLagMs: 1,
});

const objective = { p99Ms: 100 };

describe("measured capacity of a step load", () => {
  it("when p99 crosses the objective, then the last step under it is the capacity", () => {
    const steps = [step(50, 10), step(100, 40), step(200, 99), step(400, 150)];
    expect(measuredCapacity(steps, objective)?.offeredRps).toBe(200);
  });

  it("when a step has 0.1% errors or more, then it does not meet the objective even with a fast p99", () => {
    expect(measuredCapacity([step(50, 10), step(100, 10, 10)], objective)?.offeredRps).toBe(50);
    expect(measuredCapacity([step(50, 10), step(100, 10, 9)], objective)?.offeredRps).toBe(100);
  });

  it("when a higher step passes after a lower one missed, then the capacity stays below the first miss", () => {
    expect(measuredCapacity([step(50, 10), step(100, 300), step(200, 90)], objective)?.offeredRps).toBe(50);
  });

  it("when the first step misses, then there is no capacity", () => {
    expect(measuredCapacity([step(50, 101)], objective)).toBeUndefined();
  });
});

describe("step-load report", () => {
  it("when rendered, then the table has one row per step and names the capacity", () => {
    const steps = [step(50, 10), step(100, 150, 20)].map((s) => ({
      ...s,
      meetsObjective: s.offeredRps === 50,
    }));
    const markdown = renderStepMarkdown({
      op: "get-job",
      baseUrl: "https://127.0.0.1:30443",
      startedAt: "2026-12-01T00:00:00.000Z",
      connections: 32,
      stepSeconds: 20,
      objective: { p99Ms: 100, maxErrorRate: 0.001 },
      steps,
      capacityRps: 50,
    });
    expect(markdown).toContain("| 50 | 50 | 5.0 | 8.0 | 10 | 20 | 0 | 0.00 | 0.5 / 1.0 | yes |");
    expect(markdown).toContain("| 100 | 100 | 75 | 120 | 150 | 300 | 20 | 0.20 | 0.5 / 1.0 | no |");
    expect(markdown).toContain("**Measured capacity: 50 req/s**");
    expect(markdown).toContain('- 100 req/s: {"status 503":20}');
    expect(markdown).not.toContain("The generator itself sent late");
  });

  it("when the generator lagged behind its schedule in a step, then the report says that step measured the client", () => {
    const lagged = { ...step(400, 150), sendLagP99Ms: 40, meetsObjective: false };
    const markdown = renderStepMarkdown({
      op: "get-job",
      baseUrl: "https://127.0.0.1:30443",
      startedAt: "2026-12-01T00:00:00.000Z",
      connections: 32,
      stepSeconds: 20,
      objective: { p99Ms: 100, maxErrorRate: 0.001 },
      steps: [{ ...step(50, 10), meetsObjective: true }, lagged],
      capacityRps: 50,
    });
    expect(markdown).toContain("The generator itself sent late (send lag p99 above 10 ms) at 400 req/s");
  });
});

describe("step-load flags", () => {
  it("when given the documented flags, then they parse, with steps sorted and the extension dropped from --out", () => {
    const args = parseStepLoadArgs([
      "--",
      "--base-url",
      "https://127.0.0.1:30443",
      "--ca-file",
      "/tmp/ca.pem",
      "--op",
      "login",
      "--steps",
      "200,50,100",
      "--step-seconds",
      "20",
      "--p99-ms",
      "100",
      "--out",
      "results/login.md",
    ]);
    expect(args).toMatchObject({
      baseUrl: "https://127.0.0.1:30443",
      caFile: "/tmp/ca.pem",
      op: "login",
      steps: [50, 100, 200],
      stepSeconds: 20,
      p99Ms: 100,
      out: "results/login",
    });
  });

  it("when --op is unknown or --out missing, then parsing fails with the reason", () => {
    expect(() => parseStepLoadArgs(["--base-url", "https://x", "--op", "list", "--out", "o"])).toThrow(
      /--op/,
    );
    expect(() => parseStepLoadArgs(["--base-url", "https://x"])).toThrow(/--out/);
  });
});
