/** One bounded load run with autocannon, plus the server-side figures (RSS, CPU) of the process under test. */
import autocannon from "autocannon";
import { cpuMeter, readMemory } from "./proc.js";
import type { ScenarioResult, StepResult } from "./results.js";

export interface LoadTarget {
  readonly name: string;
  /** Label of the process whose memory/CPU is reported (e.g. "app-a"). */
  readonly server: string;
  readonly pid: number;
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Per-connection request sequence (for chained tokens); overrides method/path/body. */
  readonly requests?: autocannon.Request[];
  /** Extra TLS options for https targets (the ingress CA). */
  readonly tls?: { ca: string };
}

export interface LoadShape {
  readonly connections: number;
  readonly durationSeconds: number;
  /** Fixed offered rate over all connections; undefined = as fast as the server answers (closed loop). */
  readonly overallRate?: number;
}

async function fire(target: LoadTarget, shape: LoadShape): Promise<autocannon.Result> {
  const options: autocannon.Options = {
    url: target.url + (target.path ?? "/"),
    method: target.method ?? "GET",
    connections: shape.connections,
    duration: shape.durationSeconds,
    // A wedged server must not wedge the bench: give up on a request after 10 s and count it as an error.
    timeout: 10,
    headers: { "content-type": "application/json", ...target.headers },
  };
  if (target.body !== undefined) options.body = target.body;
  if (target.requests) options.requests = target.requests;
  if (target.tls) options.tlsOptions = { ca: target.tls.ca };
  if (shape.overallRate !== undefined) options.overallRate = shape.overallRate;
  return autocannon(options);
}

function nonOk(r: autocannon.Result): number {
  return r.non2xx;
}

export async function runScenario(target: LoadTarget, shape: LoadShape): Promise<ScenarioResult> {
  const cores = cpuMeter(target.pid);
  const r = await fire(target, shape);
  const serverCpuCores = cores();
  const mem = readMemory(target.pid);
  const rps = r.requests.total / r.duration;
  return {
    name: target.name,
    server: target.server,
    connections: shape.connections,
    durationSeconds: r.duration,
    requests: r.requests.total,
    rps,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, p99_9: r.latency.p99_9, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: nonOk(r),
    rssMiB: mem.rssMiB,
    peakRssMiB: mem.peakRssMiB,
    serverCpuCores,
    rpsPerCore: serverCpuCores > 0 ? rps / serverCpuCores : 0,
  };
}

/** One step of a step-load run: a fixed offered rate, latency corrected for coordinated omission. */
export async function runStep(
  target: LoadTarget,
  shape: LoadShape & { overallRate: number },
): Promise<StepResult> {
  const cores = cpuMeter(target.pid);
  const r = await fire(target, shape);
  return {
    offeredRps: shape.overallRate,
    achievedRps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: nonOk(r),
    errors: r.errors,
    serverCpuCores: cores(),
  };
}

/** The sustainable rate: highest step that met the p99 objective, had no failures and kept up with the offer. */
export function sustainableStep(
  steps: readonly StepResult[],
  objectiveP99Ms: number,
): StepResult | undefined {
  let best: StepResult | undefined;
  for (const s of steps) {
    const ok =
      s.p99 <= objectiveP99Ms && s.errors === 0 && s.non2xx === 0 && s.achievedRps >= 0.95 * s.offeredRps;
    if (ok && (!best || s.offeredRps > best.offeredRps)) best = s;
  }
  return best;
}
