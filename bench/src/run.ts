/**
 * `pnpm bench`: baselines and service scenarios in one run, a step-load run for app-a reads, and the report
 * (bench/results/<date>.md, .json, .svg). Bounded: every scenario has a fixed duration; loopback only.
 *
 * Flags: --duration S (10) --connections N (20) --only baselines|services --objective-ms 100 --no-step-load
 *        --no-efficiency --app-a-cpu 0.25 --app-b-cpu 0.5 (pod CPU requests the per-pod figures are scaled to)
 *        --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startBaseline } from "./child.js";
import { runScenario, runStep, sustainableStep } from "./load.js";
import type { LoadTarget } from "./load.js";
import { renderMarkdown } from "./report.js";
import type { BenchResults, ScenarioResult, StepLoad, StepResult } from "./results.js";
import { renderChart } from "./svg.js";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
    only: { type: "string" },
    "objective-ms": { type: "string", default: "100" },
    "no-step-load": { type: "boolean", default: false },
    "no-efficiency": { type: "boolean", default: false },
    "app-a-cpu": { type: "string", default: "0.25" },
    "app-b-cpu": { type: "string", default: "0.5" },
    out: { type: "string", default: join(dirname(fileURLToPath(import.meta.url)), "..", "results") },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const objectiveMs = Number(values["objective-ms"]);

function log(s: ScenarioResult): void {
  console.log(
    `${s.name.padEnd(42)} ${Math.round(s.rps).toString().padStart(7)} req/s  p50 ${s.latencyMs.p50} p99 ${s.latencyMs.p99} ` +
      `p99.9 ${s.latencyMs.p99_9} ms  fail ${s.errors + s.non2xx}  rss ${s.rssMiB.toFixed(0)} MiB  cpu ${s.serverCpuCores.toFixed(2)}`,
  );
}

async function baselines(): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const kind of ["node-http", "express"] as const) {
    const server = await startBaseline(kind);
    try {
      const target: LoadTarget = { name: `baseline ${kind}`, server: kind, pid: server.pid, url: server.url };
      await runScenario(target, { connections, durationSeconds: 2 }); // warm-up: JIT and connection setup
      const r = await runScenario(target, { connections, durationSeconds: duration });
      log(r);
      out.push(r);
    } finally {
      await server.stop();
    }
  }
  return out;
}

/** Offered rates as fractions of the closed-loop maximum, so the steps fit whatever machine runs the bench. */
async function stepLoad(target: LoadTarget, closedLoopRps: number): Promise<StepLoad> {
  const steps: StepResult[] = [];
  for (const fraction of [0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2]) {
    const overallRate = Math.max(10, Math.round(closedLoopRps * fraction));
    const s = await runStep(target, { connections: 32, durationSeconds: Math.min(duration, 8), overallRate });
    console.log(
      `  step ${overallRate} req/s -> ${Math.round(s.achievedRps)} achieved, p99 ${s.p99} ms, cpu ${s.serverCpuCores.toFixed(2)}`,
    );
    steps.push(s);
    if (s.p99 > objectiveMs * 3) break; // far past the objective: more steps only add queueing noise
  }
  const best = sustainableStep(steps, objectiveMs);
  return {
    scenario: target.name,
    objectiveP99Ms: objectiveMs,
    steps,
    sustainableRps: best?.achievedRps ?? 0,
    serverCpuCoresAtSustainable: best?.serverCpuCores ?? 0,
  };
}

async function services(
  results: ScenarioResult[],
): Promise<Pick<BenchResults, "stepLoad" | "perPod" | "efficiency">> {
  // Loaded only here so `--only baselines` runs even where the services and devkit are not built.
  const { startBenchPlatform } = await import("./platform.js");
  const { serviceScenarios } = await import("./scenarios.js");
  const { DEFAULT_EFFICIENCY, efficiencyLine, efficiencyOnStack } = await import("./efficiency.js");
  const stack = await startBenchPlatform({ ingress: true });
  try {
    // First, on a fresh app-a: its peak RSS is then the read path's own, not the writes' and lists' below.
    const efficiency = values["no-efficiency"]
      ? undefined
      : await efficiencyOnStack(stack, DEFAULT_EFFICIENCY, undefined, (line) => {
          console.log(line);
        });
    if (efficiency) console.log(efficiencyLine(efficiency));
    const withEfficiency = efficiency ? { efficiency } : {};
    const loginConnections = Math.min(connections, 4);
    const s = await serviceScenarios(stack, connections);
    const plan: [LoadTarget, number][] = [
      [s.reads, connections],
      [s.list, connections],
      [s.create, connections],
      [s.login, loginConnections],
      [s.refresh, connections],
    ];
    if (s.ingressRead) plan.push([s.ingressRead, connections]);
    await runScenario(s.reads, { connections, durationSeconds: 3 }); // warm-up
    const byName = new Map<string, ScenarioResult>();
    for (const [target, conns] of plan) {
      const r = await runScenario(target, { connections: conns, durationSeconds: duration });
      log(r);
      results.push(r);
      byName.set(target.name, r);
    }
    if (values["no-step-load"]) return withEfficiency;
    const reads = byName.get(s.reads.name)!;
    const step = await stepLoad(s.reads, reads.rps);
    const appACpu = Number(values["app-a-cpu"]);
    const appBCpu = Number(values["app-b-cpu"]);
    const mix = { read: 0.8, list: 0.1, write: 0.1 };
    const perCoreRead =
      step.serverCpuCoresAtSustainable > 0 ? step.sustainableRps / step.serverCpuCoresAtSustainable : 0;
    // CPU seconds per request add up across the mix: the blended rate is the weighted harmonic mean.
    const blendedPerCore =
      1 /
      (mix.read / perCoreRead +
        mix.list / byName.get(s.list.name)!.rpsPerCore +
        mix.write / byName.get(s.create.name)!.rpsPerCore);
    const perCoreAtObjective =
      step.serverCpuCoresAtSustainable > 0 ? step.sustainableRps / step.serverCpuCoresAtSustainable : 0;
    return {
      ...withEfficiency,
      stepLoad: step,
      perPod: {
        appARead: { cpuRequest: appACpu, rps: Math.floor(perCoreAtObjective * appACpu) },
        appAMixed: { cpuRequest: appACpu, rps: Math.floor(blendedPerCore * appACpu), mix },
        appBLogin: { cpuRequest: appBCpu, rps: byName.get(s.login.name)!.rpsPerCore * appBCpu },
        appBRefresh: {
          cpuRequest: appBCpu,
          rps: Math.floor(byName.get(s.refresh.name)!.rpsPerCore * appBCpu),
        },
      },
    };
  } finally {
    await stack.stop();
  }
}

function withRatios(results: ScenarioResult[]): ScenarioResult[] {
  const nodeHttp = results.find((r) => r.name === "baseline node-http")?.rps;
  const expressRps = results.find((r) => r.name === "baseline express")?.rps;
  return results.map((r) => ({
    ...r,
    ...(nodeHttp ? { ratioToNodeHttp: r.rps / nodeHttp } : {}),
    ...(expressRps ? { ratioToExpress: r.rps / expressRps } : {}),
  }));
}

async function main(): Promise<void> {
  const scenarios: ScenarioResult[] = [];
  if (values.only !== "services") scenarios.push(...(await baselines()));
  const extra = values.only === "baselines" ? {} : await services(scenarios);
  const date = new Date().toISOString().slice(0, 10);
  const results: BenchResults = {
    date,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? "unknown",
      node: process.version,
      database: process.env.MONGODB_URI ? "MONGODB_URI" : "devkit local (FerretDB when no mongod)",
    },
    scenarios: withRatios(scenarios),
    ...extra,
  };
  const out = values.out;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${date}.json`), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(out, `${date}.svg`), renderChart(`pnpm bench ${date}`, results.scenarios));
  writeFileSync(join(out, `${date}.md`), renderMarkdown(results, `${date}.svg`));
  console.log(`wrote ${join(out, date)}.{md,json,svg}`);
}

await main();
