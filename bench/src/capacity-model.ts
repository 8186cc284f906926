/**
 * Capacity model: turns a peak load and the per-pod rates measured by `pnpm bench` into pods, nodes, MongoDB
 * sizing and a monthly cost. Pure arithmetic, so every assumption is an input with a stated default and the unit
 * tests can check the sums by hand.
 */

/** Everything the model assumes. Defaults are documented in docs/capacity.md. */
export interface CapacityInputs {
  /** Peak load over both services, requests per minute. */
  readonly peakRpm: number;
  /** Share of all requests that go to app-b (login, refresh, logout, me); the rest go to app-a. */
  readonly appBShare: number;
  /** Share of app-b requests that are password logins (argon2-bound); the rest are token-bound (refresh etc.). */
  readonly loginShareOfAppB: number;
  /** Share of app-a requests that write (POST/PATCH/DELETE); the rest are reads. */
  readonly writeShareOfAppA: number;
  /** Sustainable req/s per app-a pod at the p99 objective (max-rate-per-endpoint). */
  readonly appAPerPodRps: number;
  /** Sustainable logins/s per app-b pod at its CPU request. */
  readonly appBLoginPerPodRps: number;
  /** Sustainable token refreshes/s per app-b pod at its CPU request. */
  readonly appBRefreshPerPodRps: number;
  /** Fraction of per-pod capacity the autoscaler aims at (HPA target), leaving headroom for spikes. */
  readonly targetUtilisation: number;
  readonly minReplicas: number;
  /** Pod requests, in vCPU and GiB. */
  readonly appA: PodSize;
  readonly appB: PodSize;
  readonly mongo: MongoAssumptions;
  /** Node type of the application pool (infra's `nodeMachineType`). */
  readonly node: NodeType;
  /**
   * Larger node types, smallest first, for a dedicated MongoDB pool when a member no longer fits next to the apps.
   * Each member gets a node of its own there (anti-affinity), priced by `hourly`.
   */
  readonly mongoNodeTypes: readonly (NodeType & { readonly hourly: number })[];
  readonly prices: Prices;
  /** Average load divided by peak load over a month: scales traffic-proportional costs and autoscaled nodes. */
  readonly averageToPeak: number;
  /** Average response size on the wire (bytes), for load balancer processing and internet egress. */
  readonly bytesPerResponse: number;
}

export interface PodSize {
  readonly cpu: number;
  readonly memoryGiB: number;
}

export interface MongoAssumptions {
  readonly members: number;
  /** Operations per second one vCPU of the primary serves for indexed point reads / small single-document writes. */
  readonly readsPerVcpu: number;
  readonly writesPerVcpu: number;
  /** Target utilisation of the primary, so a failover or index build does not tip it over. */
  readonly targetUtilisation: number;
  readonly storageGiB: number;
  /** Minimum member size, so a tiny load still gets a sane replica set. */
  readonly minCpu: number;
  readonly minMemoryGiB: number;
}

export interface NodeType {
  readonly name: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** CPU and memory GKE reserves for the kubelet/system plus what the platform's DaemonSets request. */
  readonly reservedCpu: number;
  readonly reservedMemoryGiB: number;
  /** Node boot disk size (GiB). */
  readonly diskGiB: number;
}

/** List prices in USD (on-demand, no committed-use or sustained-use discounts). */
export interface Prices {
  readonly region: string;
  readonly nodeHourly: number;
  readonly clusterHourly: number;
  readonly ssdGiBMonth: number;
  readonly balancedDiskGiBMonth: number;
  readonly lbForwardingRuleHourly: number;
  readonly lbDataPerGiB: number;
  readonly egressPerGiB: number;
}

export const HOURS_PER_MONTH = 730;

export interface CapacityPlan {
  readonly rps: { total: number; appA: number; appBLogin: number; appBRefresh: number };
  readonly appAPods: number;
  readonly appBPods: number;
  readonly mongo: {
    readOps: number;
    writeOps: number;
    cpuPerMember: number;
    memoryGiBPerMember: number;
    /** Dedicated pool machine type, or undefined when the members share the application pool. */
    dedicatedNodeType?: string;
  };
  readonly requested: { cpu: number; memoryGiB: number };
  readonly nodes: {
    peak: number;
    byCpu: number;
    byMemory: number;
    minimum: number;
    averageAutoscaled: number;
  };
  readonly monthlyUsd: MonthlyCost;
}

export interface MonthlyCost {
  readonly nodesAtPeakAllMonth: number;
  readonly nodesAutoscaled: number;
  /** Dedicated MongoDB nodes (always on: the replica set does not autoscale). */
  readonly mongoNodes: number;
  readonly cluster: number;
  readonly disks: number;
  readonly loadBalancer: number;
  readonly egress: number;
  /** Autoscaled nodes + everything else: the number to budget. */
  readonly total: number;
}

/** Rounds up to a step (Kubernetes quantities are set in steps such as 250m). */
export function ceilTo(value: number, step: number): number {
  return Math.ceil(value / step - 1e-9) * step;
}

/** Pods needed to serve `rps` when each pod is kept at `utilisation` of `perPodRps`. */
export function podsFor(rps: number, perPodRps: number, utilisation: number, minReplicas: number): number {
  if (perPodRps <= 0 || utilisation <= 0) throw new Error("per-pod rate and utilisation must be positive");
  return Math.max(minReplicas, Math.ceil(rps / (perPodRps * utilisation) - 1e-9));
}

/** The whole model. Throws on inputs that make no sense rather than printing a confident wrong number. */
export function planCapacity(i: CapacityInputs): CapacityPlan {
  for (const [name, share] of [
    ["appBShare", i.appBShare],
    ["loginShareOfAppB", i.loginShareOfAppB],
    ["writeShareOfAppA", i.writeShareOfAppA],
    ["averageToPeak", i.averageToPeak],
  ] as const) {
    if (share < 0 || share > 1) throw new Error(`${name} must be between 0 and 1, got ${share}`);
  }
  if (i.peakRpm <= 0) throw new Error(`peakRpm must be positive, got ${i.peakRpm}`);

  const total = i.peakRpm / 60;
  const appA = total * (1 - i.appBShare);
  const appB = total * i.appBShare;
  const appBLogin = appB * i.loginShareOfAppB;
  const appBRefresh = appB - appBLogin;

  const appAPods = podsFor(appA, i.appAPerPodRps, i.targetUtilisation, i.minReplicas);
  // An app-b pod's time is shared between the two kinds of work: add up the fraction of a pod each needs.
  const appBPodLoad = appBLogin / i.appBLoginPerPodRps + appBRefresh / i.appBRefreshPerPodRps;
  const appBPods = Math.max(i.minReplicas, Math.ceil(appBPodLoad / i.targetUtilisation - 1e-9));

  // Every app-a request is one MongoDB operation on the primary (reads use the default primary read preference);
  // a login is a read plus a write (attempt bookkeeping), a refresh a read and a rotate-write.
  const writeOps = appA * i.writeShareOfAppA + appB;
  const readOps = appA * (1 - i.writeShareOfAppA) + appB;
  const m = i.mongo;
  const neededCpu = (readOps / m.readsPerVcpu + writeOps / m.writesPerVcpu) / m.targetUtilisation;
  const cpuPerMember = Math.max(m.minCpu, ceilTo(neededCpu, 0.5));
  // WiredTiger takes ~50% of (RAM - 1 GiB) as cache; 2 GiB per vCPU + 1 keeps a jobs API's working set in it.
  const memoryGiBPerMember = Math.max(m.minMemoryGiB, cpuPerMember * 2 + 1);
  const n = i.node;
  const allocCpu = n.vcpu - n.reservedCpu;
  const allocMem = n.memoryGiB - n.reservedMemoryGiB;
  // A member that would take more than half an application node gets a dedicated pool: it would otherwise leave
  // the rest of its node unusable for app pods and make bin packing meaningless.
  const shared = cpuPerMember <= allocCpu / 2 && memoryGiBPerMember <= allocMem / 2;
  const dedicated = shared
    ? undefined
    : i.mongoNodeTypes.find(
        (t) =>
          cpuPerMember <= t.vcpu - t.reservedCpu && memoryGiBPerMember <= t.memoryGiB - t.reservedMemoryGiB,
      );
  if (!shared && !dedicated) {
    throw new Error(
      `a MongoDB member needs ${cpuPerMember} vCPU / ${memoryGiBPerMember} GiB, more than the largest node type ` +
        `offers: use a larger machine type or shard`,
    );
  }

  const mongoOnAppPool = shared ? m.members : 0;
  const requested = {
    cpu: appAPods * i.appA.cpu + appBPods * i.appB.cpu + mongoOnAppPool * cpuPerMember,
    memoryGiB:
      appAPods * i.appA.memoryGiB + appBPods * i.appB.memoryGiB + mongoOnAppPool * memoryGiBPerMember,
  };
  const byCpu = Math.ceil(requested.cpu / allocCpu - 1e-9);
  const byMemory = Math.ceil(requested.memoryGiB / allocMem - 1e-9);
  // +1 node of slack: bin packing is never perfect and a rolling update surges one pod per Deployment.
  // On a shared pool, at least one node per MongoDB member: the members are spread by anti-affinity.
  const peak = Math.max(byCpu, byMemory, mongoOnAppPool) + 1;
  const minimum = Math.max(mongoOnAppPool, 2) + 1;
  const averageAutoscaled = minimum + (peak - minimum) * i.averageToPeak;

  const p = i.prices;
  const nodeMonth = p.nodeHourly * HOURS_PER_MONTH;
  const nodeDiskMonth = n.diskGiB * p.balancedDiskGiBMonth;
  const gibPerMonth = (total * i.averageToPeak * i.bytesPerResponse * 3600 * HOURS_PER_MONTH) / 1024 ** 3;
  const cost = {
    nodesAtPeakAllMonth: peak * (nodeMonth + nodeDiskMonth),
    nodesAutoscaled: averageAutoscaled * (nodeMonth + nodeDiskMonth),
    mongoNodes: dedicated
      ? m.members * (dedicated.hourly * HOURS_PER_MONTH + dedicated.diskGiB * p.balancedDiskGiBMonth)
      : 0,
    cluster: p.clusterHourly * HOURS_PER_MONTH,
    disks: m.members * m.storageGiB * p.ssdGiBMonth,
    // Two forwarding rules: the HTTPS listener and the HTTP->HTTPS redirect share one address but not one rule.
    loadBalancer: 2 * p.lbForwardingRuleHourly * HOURS_PER_MONTH + gibPerMonth * p.lbDataPerGiB,
    egress: gibPerMonth * p.egressPerGiB,
  };
  const totalCost =
    cost.nodesAutoscaled + cost.mongoNodes + cost.cluster + cost.disks + cost.loadBalancer + cost.egress;

  return {
    rps: { total, appA, appBLogin, appBRefresh },
    appAPods,
    appBPods,
    mongo: {
      readOps,
      writeOps,
      cpuPerMember,
      memoryGiBPerMember,
      ...(dedicated ? { dedicatedNodeType: dedicated.name } : {}),
    },
    requested,
    nodes: { peak, byCpu, byMemory, minimum, averageAutoscaled },
    monthlyUsd: { ...cost, total: totalCost },
  };
}
