/**
 * `pnpm --filter bench efficiency [-- --rate 400 --round-seconds 10 --rounds 4 --simultaneous --compare ../other/apps/app-a/dist/main.js
 * --compare-label before --compare-node-options="--max-semi-space-size=8" --out results/NAME]` (paths relative to
 * bench/); `pnpm bench` runs it too.
 *
 * Efficiency of app-a's authenticated read against the raw-driver baseline (raw-driver-server.ts), in one run on
 * one database: each server is offered the same fixed rate (open loop, latency from the intended send time), in
 * interleaved rounds (ABBA order), and its CPU per request is read from its own /proc/<pid>/stat. Efficiency =
 * raw CPU per request ÷ app-a CPU per request, per round; the spread over rounds is part of the result. The same
 * read behind one Express route and nothing else is measured alongside: the part of app-a's distance from the raw
 * driver that is Express's own, before app-a's behaviours (auth, validation, headers, logging, metrics) add theirs.
 * Then each server's p99 at half load (half of app-a's closed-loop maximum, measured here) and its peak RSS.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "load-tools";
import type { Client } from "load-tools";
import { runOpenLoopStep } from "./open-loop.js";
import type { Send } from "./open-loop.js";
import type { BenchPlatform } from "./platform.js";
import { readCpuAndSyscalls, readMemory } from "./proc.js";

export interface EfficiencyOptions {
  /** Fixed offered rate of the efficiency rounds, req/s (the issue's 400). */
  readonly rate: number;
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  /** Closed-loop run that finds app-a's maximum (the half-load rate is half of it). */
  readonly maxSeconds: number;
  readonly halfLoadSeconds: number;
  /** Keep-alive connections of the open-loop client (and of the closed-loop run). */
  readonly connections: number;
  /**
   * Load every server at the same time in each round instead of one after the other: the database and the machine
   * then serve the sum of the rates, but a burst of load from elsewhere hits every server alike, so the paired
   * ratios of an A/B resolve a few per cent on a shared machine where consecutive rounds differ by 10-30%.
   */
  readonly simultaneous?: boolean;
}

export const DEFAULT_EFFICIENCY: EfficiencyOptions = {
  rate: 400,
  roundSeconds: 10,
  rounds: 4,
  warmupSeconds: 3,
  maxSeconds: 6,
  halfLoadSeconds: 8,
  connections: 32,
};

/** A server under test: the first one with `baseline: true` is what the others are compared with. */
export interface EfficiencyTarget {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly baseline?: boolean;
  /** CA bundle for an https `url` (the local cluster's Gateway). */
  readonly caFile?: string;
}

export interface EfficiencyRound {
  readonly round: number;
  readonly cpuMsPerRequest: number;
  /** Kernel share of that CPU (stime ÷ utime + stime). */
  readonly systemShare: number;
  /** read/write-family system calls per request (/proc/<pid>/io). */
  readonly syscallsPerRequest: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** The generator's own lateness: a high value means the client, not the server, was starved. */
  readonly sendLagP99Ms: number;
  /**
   * The machine's 1-minute load average at the end of the round: CPU per request rises with contention, and more
   * for app-a than for the baseline (docs/benchmarks.md), so the ratio is only comparable at similar load.
   */
  readonly loadAverage: number;
  /** Baseline CPU per request ÷ this server's, both of the same round (absent for the baseline). */
  readonly efficiency?: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ServerEfficiency {
  readonly name: string;
  readonly rounds: readonly EfficiencyRound[];
  readonly cpuMsPerRequest: Spread;
  readonly efficiency?: Spread;
  /** This server's CPU per request ÷ app-a's (the first non-baseline target) in the same round: an A/B's figure. */
  readonly pairedToAppA?: Spread;
  /** Requests per second with `connections` requests always in flight. */
  readonly closedLoopRps: number;
  readonly halfLoad: { readonly rate: number; readonly p99Ms: number; readonly cpuMsPerRequest: number };
  /** VmHWM after everything, the closed-loop run included. */
  readonly peakRssMiB: number;
}

export interface EfficiencyResults {
  readonly options: EfficiencyOptions;
  /** app-a's closed-loop maximum in this run, req/s. */
  readonly appAClosedLoopRps: number;
  readonly servers: readonly ServerEfficiency[];
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { median: 0, min: 0, max: 0 };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** Round r's order: forward on even rounds, reversed on odd ones (ABBA), so drift in the machine's load cancels. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...targets] : [...targets].reverse();
}

interface Loaded {
  readonly target: EfficiencyTarget;
  readonly client: Client;
  readonly send: Send;
}

function reader(
  target: EfficiencyTarget,
  jobIds: readonly string[],
  token: string,
  connections: number,
): Loaded {
  const client = createClient({
    baseUrl: target.url,
    connections,
    ...(target.caFile === undefined ? {} : { caFile: target.caFile }),
  });
  const headers = { authorization: `Bearer ${token}` };
  let next = 0;
  const send: Send = async () => {
    const reply = await client.send("GET", `/v1/jobs/${jobIds[next++ % jobIds.length] ?? ""}`, { headers });
    return reply.status === 200 ? undefined : `status ${reply.status}`;
  };
  return { target, client, send };
}

async function measured(loaded: Loaded, rate: number, seconds: number) {
  const before = readCpuAndSyscalls(loaded.target.pid);
  const step = await runOpenLoopStep({ rate, durationMs: seconds * 1000, send: loaded.send });
  const after = readCpuAndSyscalls(loaded.target.pid);
  const requests = Math.max(1, step.ok + step.errors);
  const user = after.user - before.user;
  const system = after.system - before.system;
  return {
    step,
    cpuMsPerRequest: ((user + system) * 1000) / requests,
    systemShare: user + system > 0 ? system / (user + system) : 0,
    syscallsPerRequest: (after.syscalls - before.syscalls) / requests,
  };
}

/** The highest rate the server answers: `connections` workers each sending the next request when one returns. */
async function closedLoopMax(loaded: Loaded, seconds: number, connections: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  const worker = async () => {
    while (performance.now() < end) if ((await loaded.send().catch(() => "error")) === undefined) ok++;
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  return (ok * 1000) / (performance.now() - start);
}

export async function measureEfficiency(
  targets: readonly EfficiencyTarget[],
  jobIds: readonly string[],
  token: string,
  options: EfficiencyOptions,
  log: (line: string) => void,
): Promise<EfficiencyResults> {
  const baseline = targets.find((t) => t.baseline);
  if (!baseline) throw new Error("measureEfficiency needs a baseline target");
  const loaded = targets.map((t) => reader(t, jobIds, token, options.connections));
  try {
    for (const l of loaded)
      await runOpenLoopStep({ rate: options.rate, durationMs: options.warmupSeconds * 1000, send: l.send });
    const rounds = new Map<string, EfficiencyRound[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      const byName = new Map<string, Omit<EfficiencyRound, "efficiency">>();
      const order = roundOrder(loaded, round);
      const results = [];
      if (options.simultaneous === true)
        results.push(
          ...(await Promise.all(order.map((l) => measured(l, options.rate, options.roundSeconds)))),
        );
      else for (const l of order) results.push(await measured(l, options.rate, options.roundSeconds));
      for (const [i, l] of order.entries()) {
        const { step, cpuMsPerRequest, systemShare, syscallsPerRequest } = results[i]!;
        byName.set(l.target.name, {
          round: round + 1,
          cpuMsPerRequest,
          systemShare,
          syscallsPerRequest,
          achievedRps: step.achievedRps,
          p50Ms: step.latencyMs.p50,
          p99Ms: step.latencyMs.p99,
          errors: step.errors,
          sendLagP99Ms: step.sendLagP99Ms,
          loadAverage: loadavg()[0] ?? 0,
        });
      }
      const base = byName.get(baseline.name)!.cpuMsPerRequest;
      for (const t of targets) {
        const r = byName.get(t.name)!;
        const withRatio: EfficiencyRound =
          t === baseline ? r : { ...r, efficiency: base / r.cpuMsPerRequest };
        rounds.get(t.name)!.push(withRatio);
        log(
          `round ${round + 1} ${t.name.padEnd(26)} ${r.cpuMsPerRequest.toFixed(3)} ms CPU/req ` +
            `(sys ${Math.round(r.systemShare * 100)}%, ${r.syscallsPerRequest.toFixed(1)} syscalls)  p99 ${r.p99Ms.toFixed(1)} ms  ` +
            `errors ${r.errors}  send lag p99 ${r.sendLagP99Ms.toFixed(1)} ms  load ${r.loadAverage.toFixed(1)}` +
            (withRatio.efficiency === undefined ? "" : `  efficiency ${withRatio.efficiency.toFixed(2)}`),
        );
      }
    }

    // Every server gets the closed-loop burst too, so each one's peak RSS includes its heaviest load.
    const closedLoop = new Map<string, number>();
    for (const l of loaded)
      closedLoop.set(l.target.name, await closedLoopMax(l, options.maxSeconds, options.connections));
    const appA = targets.find((t) => t !== baseline)!;
    const max = closedLoop.get(appA.name) ?? 0;
    const half = Math.max(10, Math.round(max / 2));
    log(
      `closed-loop maximum: ${[...closedLoop].map(([name, rps]) => `${name} ${Math.round(rps)} req/s`).join(", ")}; ` +
        `half load (of ${appA.name}) ${half} req/s`,
    );
    const halfLoad = new Map<string, ServerEfficiency["halfLoad"]>();
    for (const l of loaded) {
      const { step, cpuMsPerRequest } = await measured(l, half, options.halfLoadSeconds);
      halfLoad.set(l.target.name, { rate: half, p99Ms: step.latencyMs.p99, cpuMsPerRequest });
      log(
        `half load ${l.target.name.padEnd(26)} p99 ${step.latencyMs.p99.toFixed(1)} ms  errors ${step.errors}`,
      );
    }

    const appARounds = rounds.get(appA.name)!;
    const servers = targets.map((t): ServerEfficiency => {
      const rs = rounds.get(t.name)!;
      const ratios = rs.flatMap((r) => (r.efficiency === undefined ? [] : [r.efficiency]));
      const paired = rs.map((r, i) => r.cpuMsPerRequest / (appARounds[i]?.cpuMsPerRequest ?? NaN));
      return {
        name: t.name,
        rounds: rs,
        cpuMsPerRequest: spread(rs.map((r) => r.cpuMsPerRequest)),
        ...(ratios.length > 0 ? { efficiency: spread(ratios) } : {}),
        ...(t === baseline || t === appA ? {} : { pairedToAppA: spread(paired) }),
        closedLoopRps: closedLoop.get(t.name) ?? 0,
        halfLoad: halfLoad.get(t.name)!,
        peakRssMiB: readMemory(t.pid).peakRssMiB,
      };
    });
    return { options, appAClosedLoopRps: max, servers };
  } finally {
    await Promise.all(loaded.map((l) => l.client.close()));
  }
}

export const f3 = (n: number) => n.toFixed(3);
export const f2 = (n: number) => n.toFixed(2);
/** A spread as the reports print it: "median (min–max)". */
export const range = (s: Spread, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

export function renderEfficiencyMarkdown(r: EfficiencyResults): string {
  const o = r.options;
  return [
    `Fixed rate ${o.rate} req/s, ${o.rounds} ${o.simultaneous === true ? "simultaneous" : "interleaved"} rounds of ${o.roundSeconds} s per server (median, min–max ` +
      `over rounds); CPU from each server's /proc/<pid>/stat. Half load: ${r.servers[0]?.halfLoad.rate ?? 0} req/s, ` +
      `half of app-a's closed-loop maximum in this run (${Math.round(r.appAClosedLoopRps)} req/s). Machine load ` +
      `average during the rounds: ${range(spread(r.servers.flatMap((s) => s.rounds.map((x) => x.loadAverage))), (n) => n.toFixed(1))}.`,
    "",
    "| server | CPU ms per request | efficiency (baseline ÷ server) | kernel share | syscalls per request | p99 ms at fixed rate | p99 ms at half load | peak RSS MiB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...r.servers.map(
      (s) =>
        `| ${s.name} | ${range(s.cpuMsPerRequest, f3)} | ${s.efficiency ? range(s.efficiency, f2) : "1 (baseline)"} ` +
        `| ${Math.round(spread(s.rounds.map((x) => x.systemShare)).median * 100)}% ` +
        `| ${spread(s.rounds.map((x) => x.syscallsPerRequest)).median.toFixed(1)} ` +
        `| ${range(spread(s.rounds.map((x) => x.p99Ms)), (n) => n.toFixed(1))} | ${s.halfLoad.p99Ms.toFixed(1)} ` +
        `| ${s.peakRssMiB.toFixed(0)} |`,
    ),
    ...r.servers.flatMap((s) =>
      s.pairedToAppA
        ? ["", `${s.name}: CPU per request ÷ app-a's in the same round, ${range(s.pairedToAppA, f3)}.`]
        : [],
    ),
  ].join("\n");
}

/** Another app-a in the same run: another build (`entry`), and/or other Node options (a V8 flag's A/B). */
export interface Compare {
  readonly label: string;
  readonly entry: string;
  readonly nodeOptions?: string;
}

/** The same read as the baseline behind one Express route and nothing else (raw-driver-server.ts `express`). */
export const EXPRESS_FLOOR = "Express alone (one route)";

/**
 * Starts the raw-driver baseline and the Express floor on the stack's database and measures app-a (and `compare`)
 * against them: the floor's efficiency is what Express costs before app-a adds anything, its CPU ÷ app-a's what
 * app-a's own behaviours cost on top.
 */
export async function efficiencyOnStack(
  stack: BenchPlatform,
  options: EfficiencyOptions,
  compare: Compare | undefined,
  log: (line: string) => void,
): Promise<EfficiencyResults> {
  const { startRawDriver } = await import("./child.js");
  const raw = await startRawDriver(stack.mongo.uri, stack.jobsDb);
  const floor = await startRawDriver(stack.mongo.uri, stack.jobsDb, "express").catch(
    async (error: unknown) => {
      await raw.stop();
      throw error;
    },
  );
  try {
    const targets: EfficiencyTarget[] = [
      { name: "raw driver (node:http)", pid: raw.pid, url: raw.url, baseline: true },
      { name: "app-a", pid: stack.appA.pid, url: stack.appA.url },
      { name: EXPRESS_FLOOR, pid: floor.pid, url: floor.url },
    ];
    if (compare) {
      const other = await stack.startAppAFrom(
        compare.entry,
        compare.nodeOptions === undefined ? {} : { NODE_OPTIONS: compare.nodeOptions },
      );
      targets.push({ name: `app-a ${compare.label}`, pid: other.pid, url: other.url });
    }
    return await measureEfficiency(targets, stack.jobIds, stack.accessToken, options, log);
  } finally {
    await Promise.all([raw.stop(), floor.stop()]);
  }
}

/** Prints the one figure the issue asks for: app-a's efficiency against the raw driver. */
export function efficiencyLine(r: EfficiencyResults): string {
  return r.servers
    .filter((s) => s.efficiency)
    .map(
      (s) =>
        `${s.name}: efficiency ${range(s.efficiency!, f2)} (${range(s.cpuMsPerRequest, f3)} ms CPU/req vs ` +
        `${f3(r.servers.find((b) => !b.efficiency)?.cpuMsPerRequest.median ?? 0)} raw), peak RSS ${s.peakRssMiB.toFixed(0)} MiB` +
        (s.pairedToAppA ? `; CPU per request ÷ app-a's, paired by round: ${range(s.pairedToAppA, f3)}` : ""),
    )
    .join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: {
      rate: { type: "string", default: String(DEFAULT_EFFICIENCY.rate) },
      "round-seconds": { type: "string", default: String(DEFAULT_EFFICIENCY.roundSeconds) },
      rounds: { type: "string", default: String(DEFAULT_EFFICIENCY.rounds) },
      connections: { type: "string", default: String(DEFAULT_EFFICIENCY.connections) },
      simultaneous: { type: "boolean", default: false },
      compare: { type: "string" },
      "compare-label": { type: "string", default: "compare" },
      "compare-node-options": { type: "string" },
      out: { type: "string" },
    },
  });
  const options: EfficiencyOptions = {
    ...DEFAULT_EFFICIENCY,
    rate: Number(values.rate),
    roundSeconds: Number(values["round-seconds"]),
    rounds: Number(values.rounds),
    connections: Number(values.connections),
    simultaneous: values.simultaneous,
  };
  const compare: Compare | undefined = values.compare
    ? {
        label: values["compare-label"],
        entry: resolve(values.compare),
        ...(values["compare-node-options"] === undefined
          ? {}
          : { nodeOptions: values["compare-node-options"] }),
      }
    : undefined;
  const { startBenchPlatform } = await import("./platform.js");
  const stack = await startBenchPlatform({ ingress: false });
  let results: EfficiencyResults;
  try {
    results = await efficiencyOnStack(stack, options, compare, (line) => {
      console.log(line);
    });
  } finally {
    await stack.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  const out =
    values.out ?? join(dirname(fileURLToPath(import.meta.url)), "..", "results", `efficiency-${date}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, `${JSON.stringify({ date, ...results }, null, 2)}\n`);
  const markdown = `# Read-path efficiency ${date}\n\n${renderEfficiencyMarkdown(results)}\n`;
  writeFileSync(`${out}.md`, markdown);
  console.log(`\n${markdown}\n${efficiencyLine(results)}\nwrote ${out}.{md,json}`);
}
