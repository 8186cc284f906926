import { describe, expect, it } from "vitest";
import type { EfficiencyResults, EfficiencyRound, ServerEfficiency } from "./efficiency.js";
import {
  clusterHostsIn,
  hostEnvFromPod,
  LOOPBACK,
  nodeFlagsOf,
  parseEnviron,
  POD_DIRECT,
  POD_GATEWAY,
  podOverLoopback,
} from "./pod-cost.js";

/** An app-a pod's /proc/<pid>/environ on the local cluster (secrets left out). */
const POD_ENVIRON = [
  "PATH=/usr/local/bin:/usr/bin:/bin:/nodejs/bin",
  "HOSTNAME=app-a-66587b7fdc-sng2r",
  "NODE_ENV=production",
  "PORT=3000",
  "METRICS_PORT=9464",
  "HOST=0.0.0.0",
  "LOG_LEVEL=info",
  "MONGODB_URI=mongodb://10.244.0.1:27017/jobs",
  "MONGODB_DB=jobs",
  "JWKS_URL=http://app-b.platform.svc.cluster.local:3001/.well-known/jwks.json",
  "JWT_ISSUER=https://127.0.0.1:30443",
  "JWT_AUDIENCE=jobs-api",
  "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
  "APP_B_SERVICE_HOST=10.96.175.8",
  "APP_B_SERVICE_PORT=3001",
  "APP_B_SERVICE_PORT_HTTP=3001",
  "APP_B_PORT=tcp://10.96.175.8:3001",
  "APP_B_PORT_3001_TCP=tcp://10.96.175.8:3001",
  "APP_B_PORT_3001_TCP_ADDR=10.96.175.8",
  "APP_B_PORT_3001_TCP_PORT=3001",
  "APP_B_PORT_3001_TCP_PROTO=tcp",
  "KUBERNETES_SERVICE_HOST=10.96.0.1",
  "KUBERNETES_PORT=tcp://10.96.0.1:443",
  "HOME=/",
  "",
].join("\0");

describe("the pod's configuration for a process on the host", () => {
  const env = parseEnviron(POD_ENVIRON);

  it("keeps the app's configuration and drops what Kubernetes and the image add", () => {
    const host = hostEnvFromPod(env, { "app-b.platform.svc.cluster.local": "10.96.175.8" });
    expect(host).toEqual({
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      MONGODB_URI: "mongodb://10.244.0.1:27017/jobs",
      MONGODB_DB: "jobs",
      JWKS_URL: "http://10.96.175.8:3001/.well-known/jwks.json",
      JWT_ISSUER: "https://127.0.0.1:30443",
      JWT_AUDIENCE: "jobs-api",
    });
  });

  it("resolves only the cluster names in URL values, not addresses", () => {
    expect(clusterHostsIn(env)).toEqual(["app-b.platform.svc.cluster.local"]);
  });

  it("keeps an app's own *_PORT setting that is not a service link", () => {
    const host = hostEnvFromPod(parseEnviron("SMTP_PORT=2525\0APP_B_PORT=tcp://10.0.0.1:3001\0"), {});
    expect(host).toEqual({ SMTP_PORT: "2525" });
  });

  it("takes the node flags from the pod's command line", () => {
    expect(
      nodeFlagsOf("/nodejs/bin/node\0--enable-source-maps\0--max-semi-space-size=16\0dist/main.js\0"),
    ).toEqual(["--enable-source-maps", "--max-semi-space-size=16"]);
    expect(nodeFlagsOf("node\0dist/main.js\0")).toEqual([]);
  });
});

const round = (cpuMsPerRequest: number, i: number): EfficiencyRound => ({
  round: i + 1,
  cpuMsPerRequest,
  systemShare: 0.1,
  syscallsPerRequest: 5,
  achievedRps: 100,
  p50Ms: 2,
  p99Ms: 10,
  errors: 0,
  sendLagP99Ms: 1,
  loadAverage: 1,
});

const server = (name: string, cpu: number[], baseline = false): ServerEfficiency => {
  const spread = { median: cpu[1]!, min: Math.min(...cpu), max: Math.max(...cpu) };
  return {
    name,
    rounds: cpu.map(round),
    cpuMsPerRequest: spread,
    ...(baseline ? {} : { efficiency: spread }),
    closedLoopRps: 500,
    halfLoad: { rate: 250, p99Ms: 10, cpuMsPerRequest: 1 },
    peakRssMiB: 150,
  };
};

describe("pod ÷ host process", () => {
  it("pairs each round of a pod target with the host process's round", () => {
    const results: EfficiencyResults = {
      options: {
        rate: 100,
        roundSeconds: 15,
        rounds: 3,
        warmupSeconds: 3,
        maxSeconds: 6,
        halfLoadSeconds: 8,
        connections: 32,
      },
      appAClosedLoopRps: 500,
      servers: [
        server(LOOPBACK, [0.5, 0.6, 0.4], true),
        server(POD_DIRECT, [0.55, 0.6, 0.6]),
        server(POD_GATEWAY, [1.0, 0.9, 0.8]),
      ],
    };
    const ratios = podOverLoopback(results);
    expect(Object.keys(ratios)).toEqual([POD_DIRECT, POD_GATEWAY]);
    expect(ratios[POD_DIRECT]!.median).toBeCloseTo(1.1);
    expect(ratios[POD_DIRECT]!.max).toBeCloseTo(1.5);
    expect(ratios[POD_GATEWAY]!.median).toBeCloseTo(2);
    expect(ratios[POD_GATEWAY]!.min).toBeCloseTo(1.5);
  });
});
