/** Markdown report of one bench run. */
import { renderEfficiencyMarkdown } from "./efficiency.js";
import type { BenchResults, ScenarioResult } from "./results.js";

const n0 = (n: number): string => Math.round(n).toLocaleString("en-US");
const n1 = (n: number): string => n.toFixed(1);
// Services run at a few percent of the bare baselines: two significant digits keep small ratios readable.
const ratio = (n: number | undefined): string =>
  n === undefined ? "" : n < 0.1 ? n.toPrecision(2) : n.toFixed(2);

function row(s: ScenarioResult): string {
  const failures = s.errors + s.non2xx;
  return (
    `| ${s.name} | ${n0(s.rps)} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${s.latencyMs.p99_9} | ${failures} ` +
    `| ${n1(s.rssMiB)} / ${n1(s.peakRssMiB)} | ${s.serverCpuCores.toFixed(2)} | ${n0(s.rpsPerCore)} ` +
    `| ${ratio(s.ratioToNodeHttp)} | ${ratio(s.ratioToExpress)} |`
  );
}

export function renderMarkdown(r: BenchResults, chartFile: string): string {
  const lines = [
    `# Benchmark ${r.date}`,
    "",
    `Machine: ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node}, database ${r.machine.database}. ` +
      "Load generator (autocannon), servers and database share the machine, so compare ratios, not absolutes.",
    "",
    `![throughput and latency](${chartFile})`,
    "",
    "| scenario | req/s | p50 ms | p99 ms | p99.9 ms | errors + non-2xx | RSS / peak MiB | server CPU cores | req/s per core | × node:http | × Express |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.scenarios.map(row),
  ];
  if (r.efficiency) {
    lines.push(
      "",
      "## Read-path efficiency: app-a against the raw driver",
      "",
      renderEfficiencyMarkdown(r.efficiency),
    );
  }
  if (r.stepLoad) {
    const s = r.stepLoad;
    lines.push(
      "",
      `## Step load: ${s.scenario} (objective p99 <= ${s.objectiveP99Ms} ms)`,
      "",
      "| offered req/s | achieved req/s | p50 ms | p99 ms | errors + non-2xx | server CPU cores |",
      "|---:|---:|---:|---:|---:|---:|",
      ...s.steps.map(
        (t) =>
          `| ${n0(t.offeredRps)} | ${n0(t.achievedRps)} | ${t.p50} | ${t.p99} | ${t.errors + t.non2xx} | ${t.serverCpuCores.toFixed(2)} |`,
      ),
      "",
      `Sustainable: **${n0(s.sustainableRps)} req/s** at ${s.serverCpuCoresAtSustainable.toFixed(2)} cores of app-a CPU.`,
    );
  }
  if (r.perPod) {
    const p = r.perPod;
    lines.push(
      "",
      "## Per-pod figures (scaled to the pod's CPU request; see docs/benchmarks.md)",
      "",
      `- app-a read: ${n0(p.appARead.rps)} req/s at ${p.appARead.cpuRequest} vCPU`,
      ...(p.appAMixed
        ? [
            `- app-a mixed (${p.appAMixed.mix.read * 100}% reads, ${p.appAMixed.mix.list * 100}% lists, ${p.appAMixed.mix.write * 100}% writes): ` +
              `${n0(p.appAMixed.rps)} req/s at ${p.appAMixed.cpuRequest} vCPU`,
          ]
        : []),
      `- app-b login: ${n1(p.appBLogin.rps)} req/s at ${p.appBLogin.cpuRequest} vCPU`,
      `- app-b refresh: ${n0(p.appBRefresh.rps)} req/s at ${p.appBRefresh.cpuRequest} vCPU`,
    );
  }
  return lines.join("\n") + "\n";
}
