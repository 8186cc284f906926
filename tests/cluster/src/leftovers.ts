/**
 * What a stopped cluster must not leave on the machine: processes, the node bridge, iptables chains of
 * kube-proxy/kube-router/CNI, CNI network namespaces, pod cgroups, and mounts of the cluster's directories.
 */
import { readdirSync, readFileSync } from "node:fs";
import { run } from "./cluster.js";

/** Processes only the cluster runs: any one left is the cluster's. */
const CLUSTER_ONLY = [
  "etcd",
  "kube-apiserver",
  "kube-controller",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
  "kube-router",
  "traefik",
  "metrics-server",
];
/**
 * Processes other test suites (devkit's FerretDB) or the machine (a PostgreSQL of its own) may run too: the
 * cluster's are those naming its directories.
 */
const SHARED = ["ferretdb", "postgres", "containerd", "containerd-shim", "dockerd"];

export function leftovers(stateDir: string): string[] {
  const found: string[] = [];
  const ps = run("ps", ["-eo", "pid=,comm=,args="]).stdout;
  for (const line of ps.split("\n")) {
    const [pid, comm, ...args] = line.trim().split(/\s+/);
    if (!comm) continue;
    const named = (names: string[]) => names.some((d) => comm.startsWith(d.slice(0, 15)));
    const ours = args.some(
      (a) => a.includes(stateDir) || a.includes("/run/gke-platform-cluster") || a.includes("10.244.0.1"),
    );
    if (named(CLUSTER_ONLY) || (named(SHARED) && ours)) found.push(`process ${comm} (${pid ?? "?"})`);
  }
  if (run("ip", ["link", "show", "gkep0"]).status === 0) found.push("bridge gkep0");
  for (const table of ["filter", "nat", "mangle", "raw"]) {
    const chains = run("iptables-save", ["-t", table])
      .stdout.split("\n")
      .filter((l) => /^:(KUBE-|CNI-)/.test(l));
    for (const chain of chains) found.push(`iptables ${table} ${chain.split(" ")[0]?.slice(1) ?? ""}`);
  }
  const netns = run("ip", ["netns", "list"]).stdout;
  for (const ns of netns.split("\n").filter((l) => l.startsWith("cni-"))) found.push(`netns ${ns}`);
  for (const controller of safeList("/sys/fs/cgroup")) {
    if (safeList(`/sys/fs/cgroup/${controller}`).includes("kubepods"))
      found.push(`cgroup ${controller}/kubepods`);
  }
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
  for (const m of mounts) {
    const target = m.split(" ")[4];
    if (target && (target.startsWith(stateDir) || target.startsWith("/run/gke-platform-cluster")))
      found.push(`mount ${target}`);
  }
  return found;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
