/**
 * The local cluster's steps as one table (scripts/cluster/lib/steps.sh): `up` runs each step's up in order, `down`
 * walks the table backwards, stopping each step's processes and then running its down. Checked here without root
 * or a cluster: the table against the libraries that implement it, and the runner with every step replaced by a
 * recorder. (The cluster suite's 9-teardown checks on a real cluster that `down` leaves nothing behind.)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { repoRoot } from "../src/paths.js";

const clusterDir = path.join(repoRoot, "scripts/cluster");
// common.sh first: the others use its settings, as in cluster.sh.
const libs = readdirSync(path.join(clusterDir, "lib"))
  .filter((file) => file.endsWith(".sh"))
  .sort((a, b) => Number(b === "common.sh") - Number(a === "common.sh"))
  .map((file) => path.join(clusterDir, "lib", file));

/** Runs a bash script with every library of cluster.sh sourced, as cluster.sh sources them. */
function withLibs(script: string): string {
  const scratch = mkdtempSync(path.join(tmpdir(), "cluster-steps-"));
  const sources = libs.map((lib) => `. '${lib}'`).join("\n");
  const result = spawnSync("bash", ["-c", `set -euo pipefail\n${sources}\n${script}`], {
    encoding: "utf8",
    env: { ...process.env, PLATFORM_TOOLS_DIR: scratch, PLATFORM_CLUSTER_DIR: scratch },
  });
  if (result.status !== 0) throw new Error(`bash failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

interface Step {
  readonly name: string;
  readonly up: string;
  readonly processes: readonly string[];
  readonly down: string;
  readonly hostState: string;
}

const steps: Step[] = withLibs("steps_rows")
  .trim()
  .split("\n")
  .map((line) => {
    const [name = "", up = "", processes = "", down = "", hostState = ""] = line.split("\t");
    return { name, up, processes: processes === "-" ? [] : processes.split(" "), down, hostState };
  });
const defined = new Set(withLibs("declare -F | awk '{print $3}'").trim().split("\n"));

describe("the local cluster's steps, one table", () => {
  it("when the table is read, then every step has an up and a down the libraries define, and says what it changes in the host", () => {
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(["network", "kubelet", "platform"]));
    for (const step of steps) {
      expect(defined.has(step.up), `${step.name}: up ${step.up}`).toBe(true);
      expect(step.down === "-" || defined.has(step.down), `${step.name}: down ${step.down}`).toBe(true);
      expect(step.hostState.length, `${step.name}: host state`).toBeGreaterThan(3);
    }
    expect(new Set(steps.map((s) => s.name)).size).toBe(steps.length);
  });

  it("when a library starts a process, then a step of the table names it, so down stops it and status shows it", () => {
    const started = new Set<string>();
    for (const lib of libs) {
      for (const match of readFileSync(lib, "utf8").matchAll(/^\s*start_daemon ([a-z][a-z0-9-]*)\b/gm)) {
        started.add(match[1] ?? "");
      }
    }
    expect(started.size).toBeGreaterThan(10);
    const named = steps.flatMap((s) => s.processes);
    expect([...started].sort()).toEqual([...named].sort());
  });

  it("when up and down run, then down stops each step's processes before its down, in the reverse order of up", () => {
    // Every step's functions and stop_daemon replaced by recorders, after the libraries are sourced.
    const recorders = steps
      .flatMap((s) => [
        `${s.up}() { echo "up ${s.name}"; }`,
        s.down === "-" ? "" : `${s.down}() { echo "down ${s.name}"; }`,
      ])
      .filter(Boolean)
      .join("\n");
    const log = withLibs(`${recorders}\nstop_daemon() { echo "stop $1"; }\nrun_steps_up\nrun_steps_down`)
      .trim()
      .split("\n");
    const ups = log.filter((line) => line.startsWith("up "));
    expect(ups).toEqual(steps.map((s) => `up ${s.name}`));
    const downs = log.slice(ups.length);
    const expected = [...steps]
      .reverse()
      .flatMap((s) => [
        ...s.processes.map((p) => `stop ${p}`),
        ...(s.down === "-" ? [] : [`down ${s.name}`]),
      ]);
    expect(downs).toEqual(expected);
    // The kubelet's pods are removed through the CRI: its down runs while containerd still runs.
    expect(downs.indexOf("down kubelet")).toBeLessThan(downs.indexOf("stop containerd"));
    expect(downs.at(-1)).toBe("down network");
  });

  it("when `pnpm cluster steps` runs, then it prints the table, one line per step", () => {
    const result = spawnSync("bash", [path.join(clusterDir, "cluster.sh"), "steps"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STEP\s+UP\s+PROCESSES\s+DOWN\s+HOST STATE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(steps.map((s) => s.name));
  });
});
