import { describe, expect, it } from "vitest";
import { parseStepLoadArgs, stepCpu } from "./step-load.js";

describe("step-load's operations", () => {
  it("takes each op the pod-capacity run offers and refuses others", () => {
    const base = ["--base-url", "https://127.0.0.1:30443", "--out", "results/x"];
    for (const op of ["get-job", "login", "refresh"])
      expect(parseStepLoadArgs([...base, "--op", op]).op).toBe(op);
    expect(() => parseStepLoadArgs([...base, "--op", "logout"])).toThrow(
      /--op must be one of get-job, login, refresh/,
    );
  });
});

describe("step-load's CPU reading", () => {
  it("takes --cpu-pid and leaves it unset without", () => {
    const base = ["--base-url", "https://127.0.0.1:30443", "--out", "results/x"];
    expect(parseStepLoadArgs([...base, "--cpu-pid", "4242"]).cpuPid).toBe(4242);
    expect(parseStepLoadArgs(base).cpuPid).toBeUndefined();
    expect(() => parseStepLoadArgs([...base, "--cpu-pid", "pod"])).toThrow(
      /--cpu-pid must be a positive number/,
    );
  });

  it("gives cores over the step's wall time and milliseconds per request sent", () => {
    // 3 CPU seconds over a 15 s step of 1,500 requests (1,490 answered, 10 failed).
    const cpu = stepCpu(3, 15_000, { ok: 1490, errors: 10 });
    expect(cpu.cores).toBeCloseTo(0.2);
    expect(cpu.msPerRequest).toBeCloseTo(2);
  });
});
