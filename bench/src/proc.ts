/** Process figures from /proc (Linux): memory and CPU time of a server process, read from outside it. */
import { readFileSync } from "node:fs";

export interface MemoryFigures {
  /** Resident set size now. */
  readonly rssMiB: number;
  /** Peak resident set size since the process started (VmHWM). */
  readonly peakRssMiB: number;
}

/** Parses /proc/<pid>/status text; exported for tests. */
export function parseStatus(text: string): MemoryFigures {
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
    if (!m?.[1]) throw new Error(`no ${field} in /proc status`);
    return Number(m[1]);
  };
  return { rssMiB: kib("VmRSS") / 1024, peakRssMiB: kib("VmHWM") / 1024 };
}

export function readMemory(pid: number): MemoryFigures {
  return parseStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
}

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on (USER_HZ). */
const CLOCK_TICKS = 100;

/** Parses /proc/<pid>/stat: utime + stime (fields 14 and 15) in seconds. The command name may hold spaces. */
export function parseCpuSeconds(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (state), so field N is afterName[N - 3].
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unreadable /proc stat");
  return (utime + stime) / CLOCK_TICKS;
}

/** User and system CPU seconds (utime, stime) from /proc/<pid>/stat text. */
export function parseCpuSplit(stat: string): { user: number; system: number } {
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(afterName[11]) / CLOCK_TICKS, system: Number(afterName[12]) / CLOCK_TICKS };
}

/** A process's CPU so far, split, and its read/write system calls so far (/proc/<pid>/io syscr, syscw). */
export function readCpuAndSyscalls(pid: number): { user: number; system: number; syscalls: number } {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const count = (field: string) => Number(new RegExp(`^${field}: (\\d+)$`, "m").exec(io)?.[1] ?? NaN);
  return {
    ...parseCpuSplit(readFileSync(`/proc/${pid}/stat`, "utf8")),
    syscalls: count("syscr") + count("syscw"),
  };
}

/** CPU seconds used so far by the process and its threads. */
export function readCpuSeconds(pid: number): number {
  return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** Starts a CPU measurement; the returned function gives the cores used on average since the start. */
export function cpuMeter(pid: number): () => number {
  const cpu0 = readCpuSeconds(pid);
  const t0 = performance.now();
  return () => (readCpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
}
