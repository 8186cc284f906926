import { describe, expect, it } from "vitest";
import { cpuMeter, parseCpuSeconds, parseStatus, readMemory } from "./proc.js";

describe("/proc readers", () => {
  it("when status has VmRSS and VmHWM, then both are returned in MiB", () => {
    const text = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t7\n";
    expect(parseStatus(text)).toEqual({ rssMiB: 100, peakRssMiB: 200 });
  });

  it("when the command name has spaces and parentheses, then utime and stime are still found", () => {
    const stat = "123 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 7 0";
    expect(parseCpuSeconds(stat)).toBe(3);
  });

  it("when reading this process, then memory and CPU are plausible", () => {
    const mem = readMemory(process.pid);
    expect(mem.rssMiB).toBeGreaterThan(10);
    expect(mem.peakRssMiB).toBeGreaterThanOrEqual(mem.rssMiB);
    const cores = cpuMeter(process.pid);
    // Spin for 200 ms of CPU time (not wall time: CI machines are shared), as the kernel's own counter tells.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 200_000) Math.sqrt(Math.random());
    expect(cores()).toBeGreaterThan(0);
  });
});
