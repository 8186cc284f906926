/**
 * The numbers agree: every configuration figure that docs/capacity.md, docs/benchmarks.md and infra/README.md's
 * cost table quote is read here from where it is set (the service catalogue, the stack files, the capacity model's
 * defaults, the local stack's config), every measured figure from its committed result file, and every repository
 * path the docs name has to exist. A doc that quotes anything else fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, globSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { serviceEntry } from "@platform/contract";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { buildInputs, formatPlan } from "./capacity.js";
import { DEFAULT_INPUTS } from "./capacity-defaults.js";
import { HOURS_PER_MONTH, planCapacity } from "./capacity-model.js";
import { EXPRESS_FLOOR } from "./efficiency.js";
import type { EfficiencyResults } from "./efficiency.js";
import { podCpuMsPerOperation } from "./results.js";
import type { BenchResults } from "./results.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
const capacityDoc = read("docs/capacity.md");
const benchmarksDoc = read("docs/benchmarks.md");
const infraReadme = read("infra/README.md");
const resultsDir = path.join(repoRoot, "bench/results");
const results = (name: string) => JSON.parse(read(`bench/results/${name}`)) as BenchResults;

const stack = (layer: "cloud" | "platform", name: string) =>
  (parse(read(`infra/${layer}/Pulumi.${name}.yaml`)) as { config: Record<string, unknown> }).config;
const services = (name: string) =>
  stack("platform", name)["gke-platform:services"] as Record<string, Record<string, unknown>>;
/** The `default` of a key in a layer's Pulumi.yaml. */
const declaredDefault = (layer: "cloud" | "platform", key: string) =>
  (parse(read(`infra/${layer}/Pulumi.yaml`)) as { config: Record<string, { default?: unknown }> }).config[key]
    ?.default;

const api = serviceEntry("app-a");
const auth = serviceEntry("app-b");

/** The body rows of the first Markdown table after `marker`, as trimmed cells. */
function tableAfter(md: string, marker: string): string[][] {
  const at = md.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const lines = md.slice(at).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  // Without the header and the delimiter row.
  return rows.filter((r) => !r.every((c) => /^:?-+:?$/.test(c))).slice(1);
}
/** The row whose first cell is `name`. */
function row(rows: string[][], name: string): string[] {
  const found = rows.find((r) => r[0] === name);
  expect(found, name).toBeDefined();
  return found!;
}
const num = (cell: string) => Number(cell.replaceAll(",", "").replace(/^[~≈]/, ""));
/** `printed` is `value` as printed with the doc's own number of decimals (rounded or cut). */
function expectPrinted(printed: string, value: number, what: string): void {
  const decimals = /\.(\d+)/.exec(printed)?.[1]?.length ?? 0;
  expect(Math.abs(num(printed) - value), `${what}: doc ${printed}, source ${String(value)}`).toBeLessThan(
    10 ** -decimals + 1e-9,
  );
}
/** Every capture of `pattern` (global, one group) in `md`; at least one. */
function captures(md: string, pattern: RegExp): string[] {
  const found = [...md.matchAll(pattern)].map((m) => m[1]!);
  expect(found.length, String(pattern)).toBeGreaterThan(0);
  return found;
}
/** CPU ms per login in a pod, from the newest committed pod-capacity run of app-b's login (what capacity.ts uses). */
function appBLoginCpuMs(): number {
  const measured = podCpuMsPerOperation(resultsDir, "app-b", "login");
  expect(measured, "a committed pod-capacity run of app-b's login, limited by the pod").toBeDefined();
  return measured!.cpuMs;
}
const usd = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

describe("docs/capacity.md", () => {
  it("when it shows the worked example, then it is what `pnpm --filter bench capacity -- --rpm 1000000` prints", () => {
    const { inputs, source } = buildInputs(["--rpm", "1000000"], resultsDir);
    const printed = formatPlan(inputs, planCapacity(inputs), source).replaceAll(resultsDir, "bench/results");
    const block = /```text\n\$ pnpm --filter bench capacity -- --rpm 1000000\n([\s\S]*?)```/.exec(
      capacityDoc,
    )?.[1];
    expect(block).toBe(printed);
  });

  it("when its inputs table states a default, then it is the one the model runs with (catalogue, model defaults)", () => {
    const inputs = tableAfter(capacityDoc, "## Inputs");
    const cell = (name: string) => row(inputs, name)[1]!;
    const d = DEFAULT_INPUTS;
    expect(cell("per-pod req/s, app-a")).toContain(`${String(api.requestsPerSecondPerPod)} req/s`);
    expect(cell("pod requests")).toBe(
      `app-a ${api.resources.cpuRequest} / ${api.resources.memoryRequest}, app-b ${auth.resources.cpuRequest} / ${auth.resources.memoryRequest}`,
    );
    expect(cell("autoscaler target")).toContain(`${String(d.targetUtilisation * 100)}%`);
    expect(d.targetUtilisation * 100).toBe(serviceDefault("capacityTargetPercent"));
    expect(cell("minimum replicas")).toBe(`${String(d.minReplicas)} per app`);
    expect(d.minReplicas).toBe(serviceDefault("minReplicas"));
    expect(d.node.name).toBe(declaredDefault("cloud", "nodeMachineType"));
    expect(d.node.name).toBe(stack("cloud", "prod")["gke-cloud:nodeMachineType"]);
    expect(cell("application node type")).toBe(
      `${d.node.name} (${String(d.node.vcpu)} vCPU, ${String(d.node.memoryGiB)} GiB)`,
    );
    expect(cell("allocatable per node")).toBe(
      `${(d.node.vcpu - d.node.reservedCpu).toFixed(2)} vCPU, ${(d.node.memoryGiB - d.node.reservedMemoryGiB).toFixed(1)} GiB`,
    );
    const mongo = cell("MongoDB");
    for (const figure of [
      `${String(d.mongo.members)} members`,
      `${d.mongo.readsPerVcpu.toLocaleString("en-US")} indexed point reads/s`,
      `${d.mongo.writesPerVcpu.toLocaleString("en-US")} small writes/s`,
      `${String(d.mongo.targetUtilisation * 100)}%`,
      `${String(d.mongo.storageGiB)} GiB pd-ssd`,
    ])
      expect(mongo).toContain(figure);
    const prices = cell("prices");
    for (const price of [
      d.prices.nodeHourly,
      d.prices.clusterHourly,
      d.prices.ssdGiBMonth,
      d.prices.balancedDiskGiBMonth,
      d.prices.lbForwardingRuleHourly,
      d.prices.lbDataPerGiB,
      d.prices.egressPerGiB,
    ])
      expect(prices, String(price)).toMatch(new RegExp(`\\$${String(price).replace(".", "\\.")}0*\\b`));
    expect(prices).toContain(d.prices.region);
    expect(cell("average / peak")).toBe(`${String(d.averageToPeak * 100)}%`);
    expect(cell("bytes per response")).toBe(d.bytesPerResponse.toLocaleString("en-US"));
  });

  it("when it quotes app-a's per-pod rate or the prod caps, then they are the catalogue's and the prod stacks'", () => {
    const perPod = new RegExp(`(\\d[\\d,]*) req/s (?:per pod )?at ${api.resources.cpuRequest}`, "g");
    for (const rate of captures(capacityDoc.replaceAll("\n", " "), perPod))
      expect(num(rate)).toBe(api.requestsPerSecondPerPod);
    const caps = /app-a `maxReplicas` (\d+), app-b (\d+), `nodeMaxCount` (\d+) per zone/.exec(capacityDoc);
    expect(caps).not.toBeNull();
    expect(Number(caps![1])).toBe(services("prod")["app-a"]!.maxReplicas);
    expect(Number(caps![2])).toBe(services("prod")["app-b"]!.maxReplicas);
    expect(Number(caps![3])).toBe(stack("cloud", "prod")["gke-cloud:nodeMaxCount"]);
  });
});

describe("docs/benchmarks.md", () => {
  it("when it shows the results of 2026-11-23, then each figure is the committed result file's", () => {
    const run = results("2026-11-23.json");
    const rows = tableAfter(benchmarksDoc, "## Results of 2026-11-23");
    expect(rows).toHaveLength(run.scenarios.length);
    rows.forEach((cells, i) => {
      const s = run.scenarios[i]!;
      const [, rps, p99, xNode, xExpress, perCore, peakRss] = cells;
      expectPrinted(rps!, s.rps, `${s.name} req/s`);
      expectPrinted(p99!, s.latencyMs.p99, `${s.name} p99`);
      expectPrinted(xNode!, s.ratioToNodeHttp!, `${s.name} × node:http`);
      expectPrinted(xExpress!, s.ratioToExpress!, `${s.name} × Express`);
      expectPrinted(perCore!, s.rpsPerCore, `${s.name} per core`);
      expectPrinted(peakRss!, s.peakRssMiB, `${s.name} peak RSS`);
    });
    const steps = run.stepLoad!.steps;
    const stepRows = tableAfter(benchmarksDoc, "| offered req/s ");
    const header = benchmarksDoc
      .slice(benchmarksDoc.indexOf("| offered req/s "))
      .split("\n")[0]!
      .split("|")
      .slice(2, -1);
    header.forEach((offered, i) => {
      expectPrinted(offered.trim(), steps[i]!.offeredRps, "offered");
    });
    row(stepRows, "p99 ms")
      .slice(1)
      .forEach((p99, i) => {
        expectPrinted(p99, steps[i]!.p99, "step p99");
      });
    row(stepRows, "app-a CPU (cores)")
      .slice(1)
      .forEach((cores, i) => {
        expectPrinted(cores, steps[i]!.serverCpuCores, "step CPU");
      });
    // app-b's refreshes per pod, which the capacity model uses, come from the same file; its logins from a pod.
    const perPod = /~(\d+) logins\/s at its request \([\s\S]*?gave (\d+)\) or ~(\d+) refreshes\/s/.exec(
      benchmarksDoc,
    );
    expect(perPod, "app-b's per-pod figures").not.toBeNull();
    expectPrinted(
      perPod![1]!,
      (DEFAULT_INPUTS.appB.cpu * 1000) / appBLoginCpuMs(),
      "logins/s per pod in a pod",
    );
    expectPrinted(perPod![2]!, run.perPod!.appBLogin.rps, "logins/s per pod on loopback");
    expectPrinted(perPod![3]!, run.perPod!.appBRefresh.rps, "refreshes/s per pod");
  });

  it("when it shows the per-pod capacity run of 2026-12-03, then each figure is the committed result file's", () => {
    for (const [marker, file] of [
      ["| app-a `GET /v1/jobs/{id}` offered/s", "pod-capacity-2026-12-03-production-app-a-get-job.json"],
      ["| app-b `POST /v1/auth/login` offered/s", "pod-capacity-2026-12-03-production-app-b-login.json"],
      ["| app-b `POST /v1/auth/refresh` offered/s", "pod-capacity-2026-12-03-production-app-b-refresh.json"],
    ] as const) {
      const { steps } = JSON.parse(read(`bench/results/${file}`)) as {
        steps: {
          offered: number;
          p99: number;
          sendLagP99Ms: number;
          cores: number;
          cpuMsPerRequest: number;
          throttled: number;
        }[];
      };
      const header = benchmarksDoc
        .slice(benchmarksDoc.indexOf(marker))
        .split("\n")[0]!
        .split("|")
        .slice(2, -1);
      header.forEach((offered, i) => {
        expectPrinted(offered.trim(), steps[i]!.offered, `${file} offered`);
      });
      const rows = tableAfter(benchmarksDoc, marker);
      const figures: [string, (s: (typeof steps)[number]) => number][] = [
        ["p99 ms", (s) => s.p99],
        ["generator send lag p99 ms", (s) => s.sendLagP99Ms],
        ["pod CPU (cores)", (s) => s.cores],
        ["CPU ms per read", (s) => s.cpuMsPerRequest],
        ["CPU ms per refresh sent", (s) => s.cpuMsPerRequest],
        ["CFS throttled periods", (s) => s.throttled],
      ];
      for (const [prefix, value] of figures) {
        const cells = rows.find((r) => r[0]!.startsWith(prefix));
        if (cells === undefined) continue;
        cells.slice(1).forEach((cell, i) => {
          expectPrinted(cell, value(steps[i]!), `${file} ${prefix}`);
        });
      }
    }
  });

  it("when it compares the pod with the host process, then each figure is the committed pod-cost result's", () => {
    const file = "pod-cost-2026-12-03.json";
    const run = JSON.parse(read(`bench/results/${file}`)) as {
      rates: {
        rate: number;
        results: {
          servers: { name: string; cpuMsPerRequest: { median: number; min: number; max: number } }[];
        };
        podOverLoopback: Record<string, { median: number; min: number; max: number }>;
      }[];
    };
    const rows = tableAfter(benchmarksDoc, "| reads/s | server ");
    const checked = rows.map(([rate, name, cpu, ratio]) => {
      const measured = run.rates.find((r) => r.rate === num(rate!));
      const server = measured?.results.servers.find((s) => s.name === name);
      expect(server, `${file}: ${rate} ${name}`).toBeDefined();
      const [median, min, max] = cpu!.split(/[ (–)]+/).filter(Boolean);
      expectPrinted(median!, server!.cpuMsPerRequest.median, `${name} at ${rate}: median`);
      expectPrinted(min!, server!.cpuMsPerRequest.min, `${name} at ${rate}: min`);
      expectPrinted(max!, server!.cpuMsPerRequest.max, `${name} at ${rate}: max`);
      const paired = measured!.podOverLoopback[name!];
      if (paired === undefined) expect(ratio).toBe("1");
      else {
        const [m, lo, hi] = ratio!.split(/[ (–)]+/).filter(Boolean);
        expectPrinted(m!, paired.median, `${name} at ${rate}: ÷ host`);
        expectPrinted(lo!, paired.min, `${name} at ${rate}: ÷ host min`);
        expectPrinted(hi!, paired.max, `${name} at ${rate}: ÷ host max`);
      }
      return `${rate} ${name}`;
    });
    expect(checked).toHaveLength(run.rates.length * 3);
  });

  it("when it sets Express alone against app-a, then each figure is the committed efficiency result's", () => {
    const rows = tableAfter(benchmarksDoc, "| run (result file) ");
    expect(rows).toHaveLength(3);
    for (const [run, raw, floor, appA, floorEff, appAEff, paired] of rows) {
      const file = /\(\.\.\/bench\/results\/(efficiency-[\w-]+)\.md\)/.exec(run!)?.[1];
      expect(file, run).toBeDefined();
      const measured = JSON.parse(read(`bench/results/${file!}.json`)) as EfficiencyResults;
      const server = (name: string) => {
        const found = measured.servers.find((s) => s.name === name);
        expect(found, `${file!}: ${name}`).toBeDefined();
        return found!;
      };
      const spreadOf = (cell: string, value: { median: number; min: number; max: number }, what: string) => {
        const [m, lo, hi] = cell.split(/[ (–)]+/).filter(Boolean);
        expectPrinted(m!, value.median, `${file!} ${what}`);
        expectPrinted(lo!, value.min, `${file!} ${what} min`);
        expectPrinted(hi!, value.max, `${file!} ${what} max`);
      };
      expectPrinted(raw!, server("raw driver (node:http)").cpuMsPerRequest.median, `${file!} raw`);
      expectPrinted(floor!, server(EXPRESS_FLOOR).cpuMsPerRequest.median, `${file!} Express alone`);
      expectPrinted(appA!, server("app-a").cpuMsPerRequest.median, `${file!} app-a`);
      spreadOf(floorEff!, server(EXPRESS_FLOOR).efficiency!, "Express alone efficiency");
      spreadOf(appAEff!, server("app-a").efficiency!, "app-a efficiency");
      spreadOf(paired!, server(EXPRESS_FLOOR).pairedToAppA!, "Express alone ÷ app-a");
    }
  });

  it("when it quotes a pod's requests, limits, rate or scale-out point, then they are the catalogue's and the platform's", () => {
    const [a, b] = [api.resources, auth.resources];
    const doc = benchmarksDoc.replaceAll(/\n\s*/g, " ");
    const core = (q: string) => (q === "1" ? "1 CPU" : q);
    expect(doc).toContain(
      `app-a ${a.cpuRequest} / ${core(a.cpuLimit)}, app-b ${b.cpuRequest} / ${core(b.cpuLimit)}`,
    );
    for (const [, request, limit] of doc.matchAll(/memory request is now (\d+Mi) \(limit (\d+Mi)\)/g))
      expect([request, limit]).toEqual([a.memoryRequest, a.memoryLimit]);
    const rate = api.requestsPerSecondPerPod!;
    for (const quoted of captures(doc, /`maxRatePerEndpoint`[^*]{0,160}\*\*(\d+)\*\*/g))
      expect(Number(quoted)).toBe(rate);
    const scaleOut = Math.round((rate * serviceDefault("capacityTargetPercent")) / 100);
    for (const quoted of captures(doc, /scales? (?:app-a )?out above ~(\d+) req\/s per pod/g))
      expect(Number(quoted)).toBe(scaleOut);
    // Settings are named as the platform reads them today, not by their pre-catalogue keys.
    for (const [key] of doc.matchAll(/`app[AB][A-Z]\w+`/g)) expect.soft(key, "a pre-catalogue key").toBe("");
    expect(benchmarksDoc, "a Markdown list started by a wrapped number").not.toMatch(/^\s+\d+\. before/m);
  });

  it("when it describes the local stack of the cluster tests, then the figures are local-stack-config.js's", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "local-stack-"));
    const pem = path.join(dir, "x.pem");
    writeFileSync(pem, "x");
    const env = {
      ...process.env,
      NODE_IP: "10.0.0.1",
      IMAGES: JSON.stringify({ "app-a": "a", "app-b": "b" }),
      HTTP_PORT: "1",
      HTTPS_PORT: "2",
      API_PORT: "3",
      METRICS_IMAGES: "{}",
      METRICS_NODE_PORT: "4",
      ALERTS_NODE_PORT: "5",
      TLS_CERT: pem,
      TLS_KEY: pem,
      JWT_KEY: pem,
    };
    const out = spawnSync(process.execPath, [path.join(repoRoot, "scripts/cluster/local-stack-config.js")], {
      env,
      encoding: "utf8",
    });
    expect(out.stderr).toBe("");
    const config = JSON.parse(out.stdout) as Record<string, { value: string; objectValue?: unknown }>;
    const local = (config["gke-platform:services"]!.objectValue as Record<string, Record<string, unknown>>)[
      "app-a"
    ]!;
    const rate = local.maxRatePerEndpoint as number;
    const cpuTarget = local.cpuTargetPercent as number;
    const capacityTarget = serviceDefault("capacityTargetPercent");
    const doc = benchmarksDoc.replaceAll("\n", " ");
    expect(doc).toContain(
      `app-a's target to ${String((rate * capacityTarget) / 100)} req/s per pod (\`maxRatePerEndpoint\` ${String(rate)} × ${String(capacityTarget)} %)`,
    );
    expect(doc).toContain(`its CPU target to ${String(cpuTarget)} %`);
    expect(doc).toContain(`the local stack now uses ${String(local.cpuRequest)}`);
    expect(doc).toContain(
      `(${String(local.minReplicas)}-${String(local.maxReplicas)} replicas, CPU target ${String(serviceDefault("cpuTargetPercent"))}%, scale-down stabilisation ${config["gke-platform:hpaScaleDownStabilizationSeconds"]!.value} s instead of ${String(declaredDefault("platform", "hpaScaleDownStabilizationSeconds"))} s)`,
    );
  });
});

/** The default of a per-service setting (`services.<name>.<key>`) where the platform reads it. */
function serviceDefault(key: string): number {
  const found = new RegExp(`\`\\$\\{base\\}${key}\`,\\s*(\\d+)`).exec(read("infra/src/platform/config.ts"));
  expect(found, key).not.toBeNull();
  return Number(found![1]);
}

describe("infra/README.md's cost table", () => {
  const rows = tableAfter(infraReadme, "## What it costs per month");
  const cloud = { dev: stack("cloud", "dev"), prod: stack("cloud", "prod") };
  const platform = { dev: stack("platform", "dev"), prod: stack("platform", "prod") };
  const p = DEFAULT_INPUTS.prices;
  const hourly = (type: string) => DEFAULT_INPUTS.mongoNodeTypes.find((t) => t.name === type)?.hourly;
  const zones = (s: "dev" | "prod") => (cloud[s]["gke-cloud:regionalCluster"] ? 3 : 1);

  it("when it counts nodes, disks and volumes, then they are what the stacks run, priced as the capacity model prices them", () => {
    const nodes = row(rows, "nodes");
    for (const [column, s] of [
      [1, "dev"],
      [2, "prod"],
    ] as const) {
      const type = cloud[s]["gke-cloud:nodeMachineType"] as string;
      const perZone = cloud[s]["gke-cloud:nodeMinCount"] as number;
      const count = perZone * zones(s);
      const max = (cloud[s]["gke-cloud:nodeMaxCount"] as number) * zones(s);
      const spot = cloud[s]["gke-cloud:nodeSpot"] === true;
      expect(nodes[column]).toMatch(new RegExp(`^${String(count)} x ${type}${spot ? " Spot" : ""}\\b`));
      if (zones(s) > 1)
        expect(nodes[column]).toContain(
          `(${String(perZone)} per zone, the autoscaler may grow the pool to ${String(max)})`,
        );
      if (!spot) expect(nodes[column]).toContain(`about ${usd(count * hourly(type)! * HOURS_PER_MONTH)}`);
      const diskGb =
        (cloud[s]["gke-cloud:nodeDiskSizeGb"] as number | undefined) ??
        (declaredDefault("cloud", "nodeDiskSizeGb") as number);
      const disks = row(rows, `node boot disks (${String(diskGb)} GB pd-balanced each)`);
      expect(disks[column]).toBe(`about ${usd(count * diskGb * p.balancedDiskGiBMonth)}`);

      const members = platform[s]["gke-platform:mongodbMembers"] as number;
      const size = Number.parseInt(platform[s]["gke-platform:mongodbStorageSize"] as string, 10);
      const cls = (platform[s]["gke-platform:mongodbStorageClass"] as string | undefined) ?? "premium-rwo";
      const perGb = cls === "premium-rwo" ? p.ssdGiBMonth : p.balancedDiskGiBMonth;
      expect(row(rows, "MongoDB volumes")[column]).toMatch(
        new RegExp(
          `^${String(members)} x \\(${String(size)} \\+ 2\\) GB ${cls}.*, about \\${usd(members * (size + 2) * perGb)}$`,
        ),
      );
      expect(row(rows, `GKE cluster management fee ($${p.clusterHourly.toFixed(2)}/h)`)[column]).toContain(
        usd(p.clusterHourly * HOURS_PER_MONTH),
      );
      expect(
        row(
          rows,
          `load balancer forwarding rules (HTTPS + HTTP, $${String(p.lbForwardingRuleHourly)}/h each)`,
        )[column],
      ).toBe(`about ${usd(2 * p.lbForwardingRuleHourly * HOURS_PER_MONTH)}`);
    }
    expect(infraReadme).toContain("bench/src/capacity-defaults.ts");
  });

  it("when it totals a column, then the total is the sum of its rows", () => {
    for (const column of [1, 2]) {
      let sum = 0;
      for (const cells of rows.slice(0, -1)) {
        const cell = cells[column]!;
        // Rows that scale with traffic are left out of the total, which is "before traffic".
        if (/^(off|within)|per million requests/.test(cell)) continue;
        const amount = /\$([\d,.]+)/.exec(cell);
        if (amount) sum += num(amount[1]!);
      }
      const total = /\*\*about \$([\d,]+)\*\*/.exec(rows.at(-1)![column]!);
      expect(total, rows.at(-1)![column]).not.toBeNull();
      expect(
        Math.abs(num(total![1]!) - sum),
        `column ${String(column)}: rows sum to ${String(sum)}`,
      ).toBeLessThanOrEqual(Math.max(5, sum * 0.03));
    }
  });
});

describe("repository paths in the docs", () => {
  const DOCS = [
    "README.md",
    "docs/benchmarks.md",
    "docs/capacity.md",
    "infra/README.md",
    "apps/app-a/README.md",
    "apps/app-b/README.md",
  ];
  /** Written by a build, `pnpm --filter infra render`, `pnpm cluster up` or a documented command; never committed. */
  const GENERATED = [
    /(^|\/)dist\//,
    /\.rendered\//,
    /^infra\/(cloud|platform)\/(resources\.json|kubernetes\.yaml)$/,
    /Pulumi\.local\.yaml$/,
    /^bench\/results\/step-load-/,
  ];

  it.each(DOCS)("when %s names a file or folder of the repository, then it exists", (doc) => {
    const md = read(doc);
    const dir = path.dirname(doc);
    /** Each path named, with the places it may be relative to (a link: its doc's folder). */
    const named: string[][] = [];
    for (const [, target] of md.matchAll(/\]\(([^)\s]+)\)/g))
      if (!/^(https?:|#|mailto:)/.test(target!)) named.push([path.join(dir, target!.split("#")[0]!)]);
    // Backticked or bare paths whose first segment is a folder of the repository root or of the doc's own folder
    // (so package names, roles, CIDRs and label keys are left alone); <placeholders> and globs match anything.
    for (const [token] of md.matchAll(/(?<![\w@/.-])\w[\w.-]*(?:\/[\w.<>*-]+)+\/?/g)) {
      const first = token.split("/")[0]!;
      const bases = [...new Set([".", dir])].filter((base) => {
        const abs = path.join(repoRoot, base, first);
        return existsSync(abs) && statSync(abs).isDirectory();
      });
      if (bases.length > 0) named.push(bases.map((base) => path.join(base, token)));
    }
    const exists = (p: string) => {
      if (GENERATED.some((g) => g.test(p))) return true;
      if (!/[<*]/.test(p)) return existsSync(path.join(repoRoot, p));
      return globSync(p.replace(/<[^>]+>/g, "*"), { cwd: repoRoot }).length > 0;
    };
    // Soft, so one run lists every missing path of the doc.
    for (const candidates of named)
      expect.soft(candidates.some(exists), `${doc} names ${candidates.join(" or ")}`).toBe(true);
  });
});
