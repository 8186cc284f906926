/**
 * `pnpm --filter bench capacity -- --rpm 1000000 [--results file] [--app-a-rps N] ...`
 * Prints pods per app, nodes, MongoDB sizing and monthly cost for a target peak load, using the per-pod figures of
 * the latest benchmark run unless overridden.
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_INPUTS } from "./capacity-defaults.js";
import { HOURS_PER_MONTH, planCapacity } from "./capacity-model.js";
import type { CapacityInputs, CapacityPlan } from "./capacity-model.js";
import { latestResultsFile, podCpuMsPerOperation, readResults } from "./results.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

const numberFlags = {
  rpm: "peak requests per minute over both services",
  "app-a-rps": "sustainable req/s per app-a pod",
  "app-b-login-rps": "logins/s per app-b pod",
  "app-b-refresh-rps": "refreshes/s per app-b pod",
  "app-b-share": "share of requests going to app-b (0-1)",
  "write-share": "share of app-a requests that write (0-1)",
  "target-utilisation": "autoscaler target, fraction of per-pod capacity",
  "average-to-peak": "average / peak load over the month",
  "node-hourly": "node price, USD per hour",
} as const;
type NumberFlag = keyof typeof numberFlags;

function usage(): string {
  const lines = Object.entries(numberFlags).map(([k, v]) => `  --${k.padEnd(20)} ${v}`);
  return [
    "usage: capacity --rpm N [options]",
    ...lines,
    "  --results FILE         bench results JSON",
    "  --json",
  ].join("\n");
}

/** Builds the model inputs: defaults, then the bench results file, then explicit flags (last one wins). */
export function buildInputs(
  argv: readonly string[],
  resultsDir = RESULTS_DIR,
): { inputs: CapacityInputs; source: string } {
  const options = Object.fromEntries(Object.keys(numberFlags).map((k) => [k, { type: "string" as const }]));
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      ...options,
      results: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  const num = (flag: NumberFlag): number | undefined => {
    const raw = (values as Record<string, string | boolean | undefined>)[flag];
    if (typeof raw === "boolean") throw new Error(`--${flag}: expected a value`);
    if (raw === undefined) return undefined;
    const n = Number(raw.replaceAll("_", ""));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag}: expected a positive number, got "${raw}"`);
    return n;
  };

  let inputs: CapacityInputs = DEFAULT_INPUTS;
  const measuredAppA = `app-a: ${DEFAULT_INPUTS.appAPerPodRps} req/s per pod measured in a pod through the Gateway (services.json, bench/pod-capacity.sh)`;
  let source = `${measuredAppA}; app-b: built-in placeholders (no bench results found)`;
  const file = values.results ?? latestResultsFile(resultsDir);
  if (file !== undefined) {
    const perPod = readResults(file).perPod;
    if (perPod) {
      // app-a's loopback figure is an upper bound (no CPU limit, no Gateway): shown, not planned with.
      inputs = {
        ...inputs,
        appBLoginPerPodRps: perPod.appBLogin.rps,
        appBRefreshPerPodRps: perPod.appBRefresh.rps,
      };
      source = `${measuredAppA} (loopback upper bound ${Math.round((perPod.appAMixed ?? perPod.appARead).rps)}); app-b: ${file}`;
    }
  }
  // app-b's logins and refreshes as a pod does them (CPU per operation in a CPU-limited pod, at its request), from
  // the newest committed bench/pod-capacity.sh run of each: a loopback figure from another run is not what a pod does.
  for (const [op, key] of [
    ["login", "appBLoginPerPodRps"],
    ["refresh", "appBRefreshPerPodRps"],
  ] as const) {
    const measured = podCpuMsPerOperation(resultsDir, "app-b", op);
    if (measured === undefined) continue;
    inputs = { ...inputs, [key]: (inputs.appB.cpu * 1000) / measured.cpuMs };
    source += `; app-b ${op}s from a pod: ${measured.cpuMs.toFixed(1)} ms of CPU each (${basename(measured.file)})`;
  }
  const override = <K extends keyof CapacityInputs>(key: K, value: CapacityInputs[K] | undefined): void => {
    if (value !== undefined) inputs = { ...inputs, [key]: value };
  };
  override("peakRpm", num("rpm"));
  override("appAPerPodRps", num("app-a-rps"));
  override("appBLoginPerPodRps", num("app-b-login-rps"));
  override("appBRefreshPerPodRps", num("app-b-refresh-rps"));
  override("appBShare", num("app-b-share"));
  override("writeShareOfAppA", num("write-share"));
  override("targetUtilisation", num("target-utilisation"));
  override("averageToPeak", num("average-to-peak"));
  const nodeHourly = num("node-hourly");
  if (nodeHourly !== undefined) override("prices", { ...inputs.prices, nodeHourly });
  return { inputs, source };
}

const usd = (n: number): string => `$${Math.round(n).toLocaleString("en-US")}`;
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Human-readable report; kept separate from printing so docs/capacity.md can quote it verbatim. */
export function formatPlan(i: CapacityInputs, plan: CapacityPlan, source: string): string {
  const c = plan.monthlyUsd;
  return `Capacity plan for a peak of ${fmt(i.peakRpm)} requests/minute (${fmt(plan.rps.total)} req/s)
Per-pod figures from: ${source}

Traffic split (assumed): app-b ${fmt(i.appBShare * 100)}% of requests (${fmt(i.loginShareOfAppB * 100)}% of those logins), app-a writes ${fmt(i.writeShareOfAppA * 100)}%
  app-a           ${fmt(plan.rps.appA)} req/s
  app-b login     ${fmt(plan.rps.appBLogin, 1)} req/s
  app-b refresh   ${fmt(plan.rps.appBRefresh, 1)} req/s

Pods (autoscaler target ${fmt(i.targetUtilisation * 100)}% of per-pod capacity, min ${i.minReplicas})
  app-a  ${plan.appAPods} pods  (${fmt(i.appAPerPodRps)} req/s per pod at ${i.appA.cpu} vCPU request)
  app-b  ${plan.appBPods} pods  (${fmt(i.appBLoginPerPodRps, 1)} logins/s or ${fmt(i.appBRefreshPerPodRps)} refreshes/s per pod at ${i.appB.cpu} vCPU)

MongoDB replica set: ${i.mongo.members} members, primary serves ${fmt(plan.mongo.readOps)} reads/s + ${fmt(plan.mongo.writeOps)} writes/s
  assumed ${fmt(i.mongo.readsPerVcpu)} reads/s or ${fmt(i.mongo.writesPerVcpu)} writes/s per vCPU, kept at ${fmt(i.mongo.targetUtilisation * 100)}%
  per member: ${plan.mongo.cpuPerMember} vCPU, ${plan.mongo.memoryGiBPerMember} GiB, ${i.mongo.storageGiB} GiB pd-ssd
  placement: ${plan.mongo.dedicatedNodeType ? `dedicated pool, one ${plan.mongo.dedicatedNodeType} per member` : `on the application pool`}

Requested: ${fmt(plan.requested.cpu, 2)} vCPU, ${fmt(plan.requested.memoryGiB, 1)} GiB
App node pool (${i.node.name}, ${fmt(i.node.vcpu - i.node.reservedCpu, 2)} vCPU / ${fmt(i.node.memoryGiB - i.node.reservedMemoryGiB, 1)} GiB allocatable after system + DaemonSets)
  at peak ${plan.nodes.peak} (by CPU ${plan.nodes.byCpu}, by memory ${plan.nodes.byMemory}, +1 slack), off-peak minimum ${plan.nodes.minimum}, month average ${fmt(plan.nodes.averageAutoscaled, 1)}

Monthly cost estimate (${i.prices.region}, on-demand list prices, ${HOURS_PER_MONTH} h, average/peak ${fmt(i.averageToPeak * 100)}%)
  app nodes (autoscaled) ${usd(c.nodesAutoscaled)}   (${usd(c.nodesAtPeakAllMonth)} if held at peak all month)
  MongoDB nodes          ${usd(c.mongoNodes)}
  GKE cluster fee        ${usd(c.cluster)}
  MongoDB disks          ${usd(c.disks)}
  load balancer          ${usd(c.loadBalancer)}
  internet egress        ${usd(c.egress)}   (${fmt(i.bytesPerResponse)} bytes/response)
  total                  ${usd(c.total)}
`;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) {
    console.log(usage());
    return;
  }
  const { inputs, source } = buildInputs(argv);
  const plan = planCapacity(inputs);
  if (argv.includes("--json")) console.log(JSON.stringify({ inputs, source, plan }, null, 2));
  else console.log(formatPlan(inputs, plan, source));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    console.error(usage());
    process.exitCode = 2;
  }
}
