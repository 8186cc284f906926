/** Shape of bench/results/<date>.json: written by run.ts, read by capacity.ts. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spread } from "./efficiency.js";
import type { EfficiencyResults } from "./efficiency.js";

export interface ScenarioResult {
  readonly name: string;
  /** Which server process the RSS and CPU figures belong to. */
  readonly server: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p99: number;
    readonly p99_9: number;
    readonly max: number;
  };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  /** CPU the server process used during the run, in cores (1.0 = one core busy the whole time). */
  readonly serverCpuCores: number;
  /** Requests per second per core of server CPU: the figure that transfers to a pod's CPU request. */
  readonly rpsPerCore: number;
  /** Throughput relative to the same-run baselines. */
  readonly ratioToNodeHttp?: number;
  readonly ratioToExpress?: number;
}

export interface StepResult {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly serverCpuCores: number;
}

export interface StepLoad {
  readonly scenario: string;
  readonly objectiveP99Ms: number;
  readonly steps: readonly StepResult[];
  /** Highest offered rate whose p99 met the objective with no errors and >= 95% of the rate achieved. */
  readonly sustainableRps: number;
  readonly serverCpuCoresAtSustainable: number;
}

export interface PerPod {
  /** The CPU request the figure is scaled to (vCPU). */
  readonly cpuRequest: number;
  readonly rps: number;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly model: string;
    readonly node: string;
    readonly database: string;
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly stepLoad?: StepLoad;
  /** app-a's authenticated read against the raw-driver baseline at a fixed rate (efficiency.ts). */
  readonly efficiency?: EfficiencyResults;
  readonly perPod?: {
    readonly appARead: PerPod;
    /** app-a under the capacity model's request mix (reads, lists, writes): the max-rate-per-endpoint figure. */
    readonly appAMixed?: PerPod & {
      readonly mix: { readonly read: number; readonly list: number; readonly write: number };
    };
    readonly appBLogin: PerPod;
    readonly appBRefresh: PerPod;
  };
}

/** The newest results file in `dir` (names are ISO dates, so they sort), or undefined when there is none. */
export function latestResultsFile(dir: string): string | undefined {
  return newestFile(dir, (n) => /^\d{4}-\d{2}-\d{2}\.json$/.test(n));
}

/** The last, in name order, of the files in `dir` that `matches` (dated names sort by date); none if no dir. */
function newestFile(dir: string, matches: (name: string) => boolean): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const newest = names.filter(matches).sort().at(-1);
  return newest === undefined ? undefined : join(dir, newest);
}

export function readResults(file: string): BenchResults {
  return JSON.parse(readFileSync(file, "utf8")) as BenchResults;
}

/** One app's run of bench/pod-capacity.sh: bench/results/pod-capacity-<date>-<limit>-<app>-<op>.json. */
export interface PodCapacityRun {
  readonly app: string;
  readonly op: string;
  readonly limit: string;
  readonly p99ObjectiveMs: number;
  readonly steps: readonly {
    readonly offered: number;
    readonly meets: boolean;
    /** The pod's CPU per request over the measured step (step-load --cpu-pid). */
    readonly cpuMsPerRequest: number;
    /** CFS periods in which the kernel throttled the pod during the step. */
    readonly throttled: number;
  }[];
}

/** The newest committed pod-capacity run of `app`'s `op` at the production limit, if any. */
export function latestPodCapacityFile(dir: string, app: string, op: string): string | undefined {
  return newestFile(
    dir,
    (n) => /^pod-capacity-\d{4}-\d{2}-\d{2}-/.test(n) && n.endsWith(`-production-${app}-${op}.json`),
  );
}

/**
 * A step that missed the objective ran into the pod's CPU limit when the kernel throttled the pod in at least this
 * many CFS periods (100 ms each): 10% of a 15 s step of bench/pod-capacity.sh.
 */
export const POD_BOUND_THROTTLED_PERIODS = 15;

/**
 * What one request costs the pod below saturation: the median CPU ms per request of the steps that met the
 * objective, up to the first that missed (past it the pod is throttled and the figure says more about the queue).
 * Undefined when the first step missed, and when the pod was not what saturated: the first step that missed was
 * hardly throttled, so the database or the load generator set the limit and a per-pod figure would not follow
 * from the pod's CPU.
 */
export function cpuMsPerRequestInPod(run: PodCapacityRun): number | undefined {
  const met: number[] = [];
  for (const step of [...run.steps].sort((a, b) => a.offered - b.offered)) {
    if (!step.meets) {
      if (step.throttled < POD_BOUND_THROTTLED_PERIODS) return undefined;
      break;
    }
    met.push(step.cpuMsPerRequest);
  }
  return met.length === 0 ? undefined : spread(met).median;
}

/** The pod's CPU per operation from the newest committed run of `app`'s `op` (cpuMsPerRequestInPod), and the file. */
export function podCpuMsPerOperation(
  dir: string,
  app: string,
  op: string,
): { readonly file: string; readonly cpuMs: number } | undefined {
  const file = latestPodCapacityFile(dir, app, op);
  if (file === undefined) return undefined;
  const cpuMs = cpuMsPerRequestInPod(JSON.parse(readFileSync(file, "utf8")) as PodCapacityRun);
  return cpuMs === undefined ? undefined : { file, cpuMs };
}
