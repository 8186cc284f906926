/**
 * `pnpm --filter bench pod-cost -- --pod-pid N --pod-url http://POD_IP:PORT --gateway-url URL --ca-file FILE
 * --cluster-dns IP [--rates 50,150 --rounds 4 --round-seconds 15 --idle-seconds 20 --out results/NAME]`
 * (bench/pod-cost.sh finds these on the local cluster and runs it).
 *
 * What a read costs app-a in its pod against what it costs the same build outside any container, in one run
 * (issue 19: "the pod's cost explained"). Three servers get the same fixed rates from the same generator, in
 * interleaved rounds: the pod read through the Gateway (what users get), the pod read at its own address (no
 * Gateway in between), and an app-a process on the host started with the pod's own environment (database, JWKS,
 * issuer, log level; cluster service names resolved through the cluster's DNS) and the pod's own node flags (from
 * its command line). Each server's CPU comes from its own /proc/<pid>/stat (the pod's node is a host process too),
 * measured around each round only: the set-up writes, the warm-up and the JIT's first compilations are outside.
 * Also each one's CPU at idle (the pod's probes, the metrics scrape, timers) and peak RSS.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient, LoadState } from "load-tools";
import { startAppProcess } from "@platform/devkit";
import { DEFAULT_EFFICIENCY, f2, f3, measureEfficiency, range, spread } from "./efficiency.js";
import type { EfficiencyResults, EfficiencyTarget, Spread } from "./efficiency.js";
import { jobBody } from "./platform.js";
import { expectStatus } from "./step-load.js";
import { cpuMeter, readMemory } from "./proc.js";

export const LOOPBACK = "app-a on the host (no container)";
export const POD_DIRECT = "app-a pod, at its address";
export const POD_GATEWAY = "app-a pod, through the Gateway";

/** /proc/<pid>/environ as a map. */
export function parseEnviron(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The node flags of a command line: everything between the node binary and the script. */
export function nodeFlagsOf(cmdline: string): string[] {
  const argv = cmdline.split("\0").filter((a) => a !== "");
  const script = argv.findIndex((a, i) => i > 0 && !a.startsWith("-"));
  return argv.slice(1, script === -1 ? argv.length : script);
}

/**
 * Variables Kubernetes and the container runtime add (service links, the pod's host name, the image's PATH and
 * HOME) and the listening addresses, which the host process chooses itself: none of them is the app's configuration.
 */
function isPodOnly(name: string, value: string): boolean {
  if (["HOSTNAME", "HOME", "PATH", "HOST", "PORT", "METRICS_PORT", "NODE_EXTRA_CA_CERTS"].includes(name))
    return true;
  if (name.startsWith("KUBERNETES_")) return true;
  if (/_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$/.test(name)) return true;
  // Docker-links style service variables: FOO_PORT=tcp://10.96.0.5:3000, FOO_PORT_3000_TCP_ADDR=...
  if (/_PORT_\d+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?$/.test(name)) return true;
  return /_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value);
}

/** Host names in URL-valued variables that are not IP addresses (cluster service names). */
export function clusterHostsIn(env: Readonly<Record<string, string>>): string[] {
  const hosts = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (isPodOnly(name, value)) continue;
    const host = urlHost(value);
    if (host !== undefined && isIP(host) === 0 && host !== "localhost") hosts.add(host);
  }
  return [...hosts].sort();
}

function urlHost(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pod's configuration for a process on the host: the pod-only variables dropped, and every cluster host name in
 * a URL replaced by its address (`addresses`, from the cluster's DNS), which the node routes to.
 */
export function hostEnvFromPod(
  env: Readonly<Record<string, string>>,
  addresses: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (isPodOnly(name, value)) continue;
    const host = urlHost(value);
    const address = host === undefined ? undefined : addresses[host];
    if (host !== undefined && address !== undefined) {
      const url = new URL(value);
      url.hostname = address;
      out[name] = url.toString();
    } else out[name] = value;
  }
  return out;
}

export interface PodCostOptions {
  readonly podPid: number;
  readonly podUrl: string;
  readonly gatewayUrl: string;
  readonly caFile: string;
  readonly clusterDns: string;
  readonly rates: readonly number[];
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly idleSeconds: number;
}

export interface PodCostRate {
  readonly rate: number;
  readonly results: EfficiencyResults;
  /** Each pod target's CPU per read ÷ the host process's, paired by round. */
  readonly podOverLoopback: Readonly<Record<string, Spread>>;
}

export interface PodCostResults {
  readonly date: string;
  readonly nodeVersions: { readonly pod: string; readonly host: string };
  readonly nodeFlags: readonly string[];
  /** CPU milliseconds per second with no load: the pod's probes and scrapes against the host process's timers. */
  readonly idleCpuMsPerSecond: { readonly pod: number; readonly loopback: number };
  readonly rates: readonly PodCostRate[];
  /** VmHWM after everything (the closed-loop bursts included). */
  readonly peakRssMiB: { readonly pod: number; readonly loopback: number };
}

/** Each pod target's CPU per read ÷ the loopback's in the same round. */
export function podOverLoopback(results: EfficiencyResults): Record<string, Spread> {
  const loopback = results.servers.find((s) => s.efficiency === undefined);
  if (!loopback) throw new Error("no baseline server in the results");
  return Object.fromEntries(
    results.servers
      .filter((s) => s !== loopback)
      .map((s) => [
        s.name,
        spread(s.rounds.map((r, i) => r.cpuMsPerRequest / (loopback.rounds[i]?.cpuMsPerRequest ?? NaN))),
      ]),
  );
}

export function renderPodCostMarkdown(r: PodCostResults, options: PodCostOptions): string {
  const lines = [
    `# app-a in its pod against the same build on the host, ${r.date}`,
    "",
    `Node ${r.nodeVersions.pod} in the pod, ${r.nodeVersions.host} on the host, both with \`${r.nodeFlags.join(" ")}\`; ` +
      `${options.rounds} interleaved rounds of ${options.roundSeconds} s per server and rate (median, min–max over ` +
      `rounds); CPU from each server's /proc/<pid>/stat around the round only.`,
    "",
    `Idle CPU (${options.idleSeconds} s, no load): pod ${f2(r.idleCpuMsPerSecond.pod)} ms/s, host process ` +
      `${f2(r.idleCpuMsPerSecond.loopback)} ms/s. Peak RSS after the closed-loop bursts: pod ` +
      `${r.peakRssMiB.pod.toFixed(0)} MiB, host process ${r.peakRssMiB.loopback.toFixed(0)} MiB.`,
    "",
    "| rate req/s | server | CPU ms per read | ÷ host process, paired by round | kernel share | syscalls per read | p99 ms |",
    "|---:|---|---:|---:|---:|---:|---:|",
  ];
  for (const rate of r.rates) {
    for (const s of rate.results.servers) {
      const ratio = rate.podOverLoopback[s.name];
      lines.push(
        `| ${rate.rate} | ${s.name} | ${range(s.cpuMsPerRequest, f3)} | ${ratio ? range(ratio, f2) : "1"} ` +
          `| ${Math.round(spread(s.rounds.map((x) => x.systemShare)).median * 100)}% ` +
          `| ${spread(s.rounds.map((x) => x.syscallsPerRequest)).median.toFixed(1)} ` +
          `| ${range(spread(s.rounds.map((x) => x.p99Ms)), (n) => n.toFixed(1))} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** CPU milliseconds per second of each process over `seconds` with no load. */
async function idleCpu(pids: readonly number[], seconds: number): Promise<number[]> {
  const meters = pids.map(cpuMeter);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return meters.map((coresSinceStart) => coresSinceStart() * 1000);
}

function versionOf(binary: string): string {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export async function measurePodCost(
  options: PodCostOptions,
  log: (line: string) => void,
): Promise<PodCostResults> {
  const podEnv = parseEnviron(readFileSync(`/proc/${options.podPid}/environ`, "utf8"));
  const nodeFlags = nodeFlagsOf(readFileSync(`/proc/${options.podPid}/cmdline`, "utf8"));
  const resolver = new Resolver();
  resolver.setServers([options.clusterDns]);
  const addresses: Record<string, string> = {};
  for (const host of clusterHostsIn(podEnv)) {
    const [address] = await resolver.resolve4(host);
    if (address === undefined) throw new Error(`the cluster's DNS has no address for ${host}`);
    addresses[host] = address;
  }
  const hostProcess = await startAppProcess({
    app: "app-a",
    env: { ...hostEnvFromPod(podEnv, addresses), NODE_OPTIONS: nodeFlags.join(" ") },
  });
  const gateway = createClient({ baseUrl: options.gatewayUrl, connections: 4, caFile: options.caFile });
  const loopbackWriter = createClient({ baseUrl: hostProcess.url, connections: 4 });
  try {
    // A user and jobs through the Gateway (the pod serves those writes); the host process serves as many writes
    // before it is measured, as the pod did (a process that only ever served reads runs them cheaper).
    const user = LoadState.newCredentials();
    await expectStatus(gateway, "POST", "/v1/auth/register", 201, { json: user });
    const tokens = await expectStatus(gateway, "POST", "/v1/auth/login", 200, { json: user });
    const token = String(tokens.accessToken);
    const headers = { authorization: `Bearer ${token}` };
    const ids: string[] = [];
    for (const client of [gateway, loopbackWriter])
      for (let i = 0; i < 100; i++)
        ids.push(
          String((await expectStatus(client, "POST", "/v1/jobs", 201, { headers, json: jobBody(i) })).id),
        );

    const [podIdle, loopbackIdle] = await idleCpu([options.podPid, hostProcess.pid], options.idleSeconds);
    log(`idle CPU: pod ${f2(podIdle!)} ms/s, host process ${f2(loopbackIdle!)} ms/s`);
    const targets: EfficiencyTarget[] = [
      { name: LOOPBACK, pid: hostProcess.pid, url: hostProcess.url, baseline: true },
      { name: POD_DIRECT, pid: options.podPid, url: options.podUrl },
      { name: POD_GATEWAY, pid: options.podPid, url: options.gatewayUrl, caFile: options.caFile },
    ];
    const rates: PodCostRate[] = [];
    for (const rate of options.rates) {
      log(`rate ${rate} req/s`);
      const results = await measureEfficiency(
        targets,
        ids,
        token,
        { ...DEFAULT_EFFICIENCY, rate, rounds: options.rounds, roundSeconds: options.roundSeconds },
        log,
      );
      rates.push({ rate, results, podOverLoopback: podOverLoopback(results) });
    }
    return {
      date: new Date().toISOString().slice(0, 10),
      nodeVersions: { pod: versionOf(`/proc/${options.podPid}/exe`), host: process.version },
      nodeFlags,
      idleCpuMsPerSecond: { pod: podIdle!, loopback: loopbackIdle! },
      rates,
      peakRssMiB: {
        pod: readMemory(options.podPid).peakRssMiB,
        loopback: readMemory(hostProcess.pid).peakRssMiB,
      },
    };
  } finally {
    await Promise.all([gateway.close(), loopbackWriter.close()]);
    await hostProcess.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: {
      "pod-pid": { type: "string" },
      "pod-url": { type: "string" },
      "gateway-url": { type: "string" },
      "ca-file": { type: "string" },
      "cluster-dns": { type: "string" },
      rates: { type: "string", default: "50,150" },
      rounds: { type: "string", default: "4" },
      "round-seconds": { type: "string", default: "15" },
      "idle-seconds": { type: "string", default: "20" },
      out: { type: "string" },
    },
  });
  const missing = ["pod-pid", "pod-url", "gateway-url", "ca-file", "cluster-dns"].filter(
    (name) => values[name as keyof typeof values] === undefined,
  );
  if (missing.length > 0) {
    console.error(`missing ${missing.map((m) => `--${m}`).join(", ")} (bench/pod-cost.sh finds them)`);
    process.exit(2);
  }
  const options: PodCostOptions = {
    podPid: Number(values["pod-pid"]),
    podUrl: values["pod-url"]!,
    gatewayUrl: values["gateway-url"]!,
    caFile: values["ca-file"]!,
    clusterDns: values["cluster-dns"]!,
    rates: values.rates.split(",").map(Number),
    rounds: Number(values.rounds),
    roundSeconds: Number(values["round-seconds"]),
    idleSeconds: Number(values["idle-seconds"]),
  };
  const results = await measurePodCost(options, (line) => {
    console.log(line);
  });
  const out =
    values.out ?? join(dirname(fileURLToPath(import.meta.url)), "..", "results", `pod-cost-${results.date}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderPodCostMarkdown(results, options);
  writeFileSync(`${out}.md`, markdown);
  console.log(`\n${markdown}\nwrote ${out}.{md,json}`);
}
