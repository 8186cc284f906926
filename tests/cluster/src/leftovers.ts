/**
 * What a stopped cluster must not leave on the machine: processes, the node bridge, iptables chains of
 * kube-proxy/kube-router/CNI, CNI network namespaces, pod cgroups, and mounts of the cluster's directories.
 */
import { readdirSync, readFileSync } from "node:fs";
import { run } from "./cluster.js";

const DAEMONS = [
  "etcd",
  "kube-apiserver",
  "kube-controller",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
  "kube-router",
  "containerd",
  "containerd-shim",
  "dockerd",
  "traefik",
  "metrics-server",
  "ferretdb",
];

export function leftovers(stateDir: string): string[] {
  const found: string[] = [];
  const ps = run("ps", ["-eo", "pid=,comm="]).stdout;
  for (const line of ps.split("\n")) {
    const [pid, comm] = line.trim().split(/\s+/);
    if (comm && DAEMONS.some((d) => comm.startsWith(d.slice(0, 15))))
      found.push(`process ${comm} (${pid ?? "?"})`);
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
