/**
 * `pnpm --filter bench profile [-- --duration 15 --scenario reads|list|create|login|refresh]`
 * Runs a service under `node --cpu-prof` while autocannon loads one scenario, then prints the top self-time
 * functions and packages from the .cpuprofile V8 writes at exit. Compare runs before and after a change.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatSelfTimes, selfTimes } from "./cpuprofile.js";
import type { CpuProfile } from "./cpuprofile.js";
import { runScenario } from "./load.js";
import { serviceScenarios } from "./scenarios.js";
import type { ServiceScenarios } from "./scenarios.js";
import { startBenchPlatform } from "./platform.js";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "20" },
    scenario: { type: "string", default: "reads" },
    top: { type: "string", default: "25" },
  },
});
const scenario = values.scenario as keyof ServiceScenarios;
const isAppB = scenario === "login" || scenario === "refresh";
const dir = mkdtempSync(join(tmpdir(), "bench-cpuprof-"));
const profileEnv = { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };

const stack = await startBenchPlatform({
  ingress: false,
  ...(isAppB ? { appBEnv: profileEnv } : { appAEnv: profileEnv }),
});
try {
  const targets = await serviceScenarios(stack, Number(values.connections));
  const target = targets[scenario];
  if (!target) throw new Error(`unknown scenario ${scenario}`);
  const connections = scenario === "login" ? 4 : Number(values.connections);
  const r = await runScenario(target, { connections, durationSeconds: Number(values.duration) });
  console.log(
    `${r.name}: ${Math.round(r.rps)} req/s, p99 ${r.latencyMs.p99} ms, fail ${r.errors + r.non2xx}`,
  );
} finally {
  await stack.stop(); // SIGTERM -> clean exit -> V8 writes the profile
}

const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no .cpuprofile in ${dir}: did the service exit cleanly on SIGTERM?`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
const top = Number(values.top);
console.log(
  `\nprofile: ${join(dir, file)}\n\nself time by package:\n${formatSelfTimes(selfTimes(profile, "package"), 15)}`,
);
console.log(`\nself time by function (top ${top}):\n${formatSelfTimes(selfTimes(profile, "function"), top)}`);
