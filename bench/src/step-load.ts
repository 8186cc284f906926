/**
 * `pnpm --filter bench step-load -- --base-url URL --ca-file FILE --op get-job|login|refresh --steps 50,100,200
 * --step-seconds 20 --p99-ms 100 --out results/step-load`: open-loop step load against any base URL (the local
 * ingress, or the cluster's Gateway); writes `<out>.json` and `<out>.md` and prints the table. Bounded: the steps
 * given, each for its seconds, every request with a timeout; it stops after the first step that misses the
 * objective unless --all-steps.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { createClient, LoadState } from "load-tools";
import type { Client } from "load-tools";
import { buildJob } from "@platform/devkit";
import { runOpenLoopStep } from "./open-loop.js";
import { readCpuSeconds } from "./proc.js";
import type { Send, StepMeasurement } from "./open-loop.js";
import { MAX_ERROR_RATE, measuredCapacity, meetsObjective, renderStepMarkdown } from "./step-report.js";
import type { StepCpu, StepLoadReport } from "./step-report.js";

const OPS = ["get-job", "login", "refresh"] as const;
type StepOp = (typeof OPS)[number];

export interface StepLoadArgs {
  readonly baseUrl: string;
  readonly caFile: string | undefined;
  readonly op: StepOp;
  readonly steps: readonly number[];
  readonly stepSeconds: number;
  readonly p99Ms: number;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly warmupSeconds: number;
  readonly out: string;
  readonly allSteps: boolean;
  /** A server process whose CPU is read around each measured step (the pod's node, a host pid). */
  readonly cpuPid: number | undefined;
}

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
};

export function parseStepLoadArgs(argv: readonly string[]): StepLoadArgs {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      "base-url": { type: "string" },
      "ca-file": { type: "string" },
      op: { type: "string", default: "get-job" },
      steps: { type: "string", default: "50,100,200,400" },
      "step-seconds": { type: "string", default: "20" },
      "p99-ms": { type: "string", default: "100" },
      connections: { type: "string", default: "32" },
      "timeout-ms": { type: "string", default: "10000" },
      "warmup-seconds": { type: "string", default: "5" },
      out: { type: "string" },
      "all-steps": { type: "boolean", default: false },
      "cpu-pid": { type: "string" },
    },
  });
  if (!values["base-url"]) throw new Error("--base-url is required");
  if (!values.out) throw new Error("--out is required (results path; .json and .md are written)");
  if (!OPS.includes(values.op as StepOp)) throw new Error(`--op must be one of ${OPS.join(", ")}`);
  const steps = values.steps.split(",").map((s) => number("steps", s.trim()));
  return {
    baseUrl: values["base-url"],
    caFile: values["ca-file"],
    op: values.op as StepOp,
    steps: [...steps].sort((a, b) => a - b),
    stepSeconds: number("step-seconds", values["step-seconds"]),
    p99Ms: number("p99-ms", values["p99-ms"]),
    connections: number("connections", values.connections),
    timeoutMs: number("timeout-ms", values["timeout-ms"]),
    warmupSeconds: Number(values["warmup-seconds"]),
    out: values.out.replace(/\.(md|json)$/, ""),
    allSteps: values["all-steps"],
    cpuPid: values["cpu-pid"] === undefined ? undefined : number("cpu-pid", values["cpu-pid"]),
  };
}

/** Sends a request through `client` and fails unless the answer has `status`; the parsed JSON body. */
export async function expectStatus(
  client: Client,
  method: "GET" | "POST",
  path: string,
  status: number,
  options: Parameters<Client["send"]>[2] = {},
): Promise<Record<string, unknown>> {
  const reply = await client.send(method, path, options);
  if (reply.status !== status) {
    throw new Error(
      `${method} ${path}: expected ${status}, got ${reply.status}: ${reply.body.slice(0, 200)}`,
    );
  }
  return reply.body ? (JSON.parse(reply.body) as Record<string, unknown>) : {};
}

interface Target {
  /** Called before each step (e.g. a fresh access token, so none expires during a long run). */
  beforeStep(): Promise<void>;
  readonly send: Send;
}

const statusCheck = (status: number, expected: number) =>
  status === expected ? undefined : `status ${status}`;

/**
 * Registers the users the op needs (for get-job also the jobs it reads, for refresh the sessions it rotates)
 * through the target itself.
 */
async function prepare(client: Client, op: StepOp, connections: number): Promise<Target> {
  const users = Array.from({ length: 4 }, () => LoadState.newCredentials());
  for (const user of users) await expectStatus(client, "POST", "/v1/auth/register", 201, { json: user });
  let next = 0;
  if (op === "refresh") {
    // Refresh tokens are single-use and a reused one revokes its session: each request takes a token from the
    // pool and puts the rotated one back. Twice as many sessions as connections, so none is ever sent twice.
    const pool: string[] = [];
    for (let i = 0; i < connections * 2; i++) {
      const tokens = await expectStatus(client, "POST", "/v1/auth/login", 200, {
        json: users[i % users.length],
      });
      pool.push(String(tokens.refreshToken));
    }
    return {
      beforeStep: () => Promise.resolve(),
      send: async () => {
        const refreshToken = pool.shift();
        if (refreshToken === undefined) return "no unused refresh token left";
        const reply = await client.send("POST", "/v1/auth/refresh", { json: { refreshToken } });
        if (reply.status === 200)
          pool.push(String((JSON.parse(reply.body) as { refreshToken?: unknown }).refreshToken));
        return statusCheck(reply.status, 200);
      },
    };
  }
  if (op === "login") {
    return {
      beforeStep: () => Promise.resolve(),
      send: async () => {
        const user = users[next++ % users.length]!;
        const reply = await client.send("POST", "/v1/auth/login", { json: user });
        return statusCheck(reply.status, 200);
      },
    };
  }
  let auth: Record<string, string> = {};
  const login = async () => {
    const tokens = await expectStatus(client, "POST", "/v1/auth/login", 200, { json: users[0] });
    auth = { authorization: `Bearer ${String(tokens.accessToken)}` };
  };
  await login();
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const job = await expectStatus(client, "POST", "/v1/jobs", 201, {
      headers: auth,
      json: buildJob({ title: `Step load ${i}` }),
    });
    ids.push(String(job.id));
  }
  return {
    beforeStep: login,
    send: async () => {
      const reply = await client.send("GET", `/v1/jobs/${ids[next++ % ids.length]!}`, { headers: auth });
      return statusCheck(reply.status, 200);
    },
  };
}

/** A process's CPU over one step: cores on average, and milliseconds per request sent. */
export function stepCpu(
  cpuSeconds: number,
  elapsedMs: number,
  step: Pick<StepMeasurement, "ok" | "errors">,
): StepCpu {
  return {
    cores: cpuSeconds / (elapsedMs / 1000),
    msPerRequest: (cpuSeconds * 1000) / Math.max(1, step.ok + step.errors),
  };
}

export async function runStepLoad(args: StepLoadArgs, log: (line: string) => void): Promise<StepLoadReport> {
  const client = createClient({
    baseUrl: args.baseUrl,
    connections: args.connections,
    timeoutMs: args.timeoutMs,
    ...(args.caFile ? { caFile: args.caFile } : {}),
  });
  const startedAt = new Date().toISOString();
  const objective = { p99Ms: args.p99Ms };
  const steps: StepLoadReport["steps"][number][] = [];
  try {
    const target = await prepare(client, args.op, args.connections);
    if (args.warmupSeconds > 0 && args.steps[0] !== undefined) {
      // JIT, connection and TLS setup, caches: not measured.
      await runOpenLoopStep({
        rate: args.steps[0],
        durationMs: args.warmupSeconds * 1000,
        send: target.send,
      });
    }
    for (const rate of args.steps) {
      await target.beforeStep();
      const cpuBefore = args.cpuPid === undefined ? undefined : readCpuSeconds(args.cpuPid);
      const started = performance.now();
      const step = await runOpenLoopStep({ rate, durationMs: args.stepSeconds * 1000, send: target.send });
      const meets = meetsObjective(step, objective);
      steps.push({
        ...step,
        meetsObjective: meets,
        ...(args.cpuPid === undefined || cpuBefore === undefined
          ? {}
          : { cpu: stepCpu(readCpuSeconds(args.cpuPid) - cpuBefore, performance.now() - started, step) }),
      });
      log(
        `step ${rate} req/s: achieved ${Math.round(step.achievedRps)}, p50 ${step.latencyMs.p50.toFixed(1)} ` +
          `p99 ${step.latencyMs.p99.toFixed(1)} max ${step.latencyMs.max.toFixed(1)} ms, errors ${step.errors} ` +
          `${JSON.stringify(step.errorsByKind)}, send lag ${step.maxSendLagMs.toFixed(1)} ms -> ${meets ? "meets" : "misses"}`,
      );
      if (!meets && !args.allSteps) break;
    }
  } finally {
    await client.close();
  }
  const capacity = measuredCapacity(steps, objective);
  return {
    op: args.op,
    baseUrl: args.baseUrl,
    startedAt,
    connections: args.connections,
    stepSeconds: args.stepSeconds,
    objective: { p99Ms: args.p99Ms, maxErrorRate: MAX_ERROR_RATE },
    steps,
    capacityRps: capacity?.offeredRps ?? null,
  };
}

export function writeStepLoadReport(out: string, report: StepLoadReport): string {
  mkdirSync(dirname(out), { recursive: true });
  const markdown = renderStepMarkdown(report);
  writeFileSync(`${out}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${out}.md`, markdown);
  return markdown;
}

if (import.meta.main) {
  let args: StepLoadArgs;
  try {
    args = parseStepLoadArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const report = await runStepLoad(args, (line) => {
    console.log(line);
  });
  console.log(writeStepLoadReport(args.out, report));
  console.log(`written: ${args.out}.json, ${args.out}.md`);
}
