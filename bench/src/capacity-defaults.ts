/**
 * Default assumptions of the capacity model. Each one is stated in docs/capacity.md; every one can be overridden
 * from the command line. Pod sizes mirror infra/src/config.ts defaults; prices are on-demand list prices.
 */
import { serviceEntry } from "@platform/contract";
import type { ServiceResources } from "@platform/contract";
import type { CapacityInputs } from "./capacity-model.js";

/** vCPU of a Kubernetes CPU quantity ("250m", "1"). */
export function cpuOf(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}
/** GiB of a Kubernetes memory quantity ("384Mi", "1Gi"). */
export function gibOf(quantity: string): number {
  const units: Record<string, number> = { Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1 };
  const unit = quantity.slice(-2);
  return Number(quantity.slice(0, -2)) * (units[unit] ?? Number.NaN);
}
const podSize = (r: ServiceResources) => ({ cpu: cpuOf(r.cpuRequest), memoryGiB: gibOf(r.memoryRequest) });
const api = serviceEntry("app-a");
const auth = serviceEntry("app-b");

export const DEFAULT_INPUTS: CapacityInputs = {
  peakRpm: 1_000_000,
  // Access tokens live 15 minutes, so a client talks to app-b a few times an hour and to app-a constantly.
  appBShare: 0.05,
  loginShareOfAppB: 0.2,
  writeShareOfAppA: 0.1,
  // The per-pod rate measured in a CPU-limited pod through the Gateway (bench/pod-capacity.sh), kept in the service
  // catalogue: the same figure the HPA target and max-rate-per-endpoint use. Loopback results do not replace it.
  appAPerPodRps: api.requestsPerSecondPerPod ?? Number.NaN,
  // Placeholders: replaced by the per-pod figures of the latest bench/results/*.json when one exists.
  appBLoginPerPodRps: 10,
  appBRefreshPerPodRps: 300,
  targetUtilisation: 0.7,
  minReplicas: 2,
  // The catalogue's requests, what the platform deploys by default.
  appA: podSize(api.resources),
  appB: podSize(auth.resources),
  mongo: {
    members: 3,
    // Rules of thumb for indexed single-document operations on MongoDB 8 with the working set in cache.
    readsPerVcpu: 5000,
    writesPerVcpu: 2000,
    targetUtilisation: 0.6,
    storageGiB: 20,
    minCpu: 0.5,
    minMemoryGiB: 1,
  },
  node: {
    name: "e2-standard-4",
    vcpu: 4,
    memoryGiB: 16,
    // GKE's kubelet/system reservation (~0.08 vCPU, ~2.7 GiB incl. eviction threshold on 16 GiB) plus the
    // DaemonSets the platform runs on every node (Dataplane V2, Managed Prometheus collector, logging, ~0.4 vCPU).
    reservedCpu: 0.48,
    reservedMemoryGiB: 3.2,
    diskGiB: 50,
  },
  // e2-standard-N: N x $0.023991 + 4N x $0.003215 per hour; reservations grow with size (GKE's published tiers).
  mongoNodeTypes: [
    {
      name: "e2-standard-4",
      vcpu: 4,
      memoryGiB: 16,
      reservedCpu: 0.48,
      reservedMemoryGiB: 3.2,
      diskGiB: 50,
      hourly: 0.1474,
    },
    {
      name: "e2-standard-8",
      vcpu: 8,
      memoryGiB: 32,
      reservedCpu: 0.49,
      reservedMemoryGiB: 4.2,
      diskGiB: 50,
      hourly: 0.2948,
    },
    {
      name: "e2-standard-16",
      vcpu: 16,
      memoryGiB: 64,
      reservedCpu: 0.51,
      reservedMemoryGiB: 6.1,
      diskGiB: 50,
      hourly: 0.5896,
    },
    {
      name: "e2-standard-32",
      vcpu: 32,
      memoryGiB: 128,
      reservedCpu: 0.55,
      reservedMemoryGiB: 9.9,
      diskGiB: 50,
      hourly: 1.1792,
    },
  ],
  prices: {
    region: "europe-west1",
    nodeHourly: 0.1474, // e2-standard-4: 4 x $0.023991 vCPU-h + 16 x $0.003215 GB-h
    clusterHourly: 0.1, // GKE Standard cluster management fee
    ssdGiBMonth: 0.17, // pd-ssd (premium-rwo)
    balancedDiskGiBMonth: 0.1, // pd-balanced node boot disk
    lbForwardingRuleHourly: 0.025,
    lbDataPerGiB: 0.008,
    egressPerGiB: 0.085, // premium tier internet egress, 10+ TiB/month band
  },
  averageToPeak: 0.35,
  bytesPerResponse: 1200,
};
