import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kubectl, pulumi } from "../src/cluster.js";
import { httpsGet } from "../src/https.js";
import { canConnect, probePodManifest, resolveIn } from "../src/probe.js";
import { recordResult } from "../src/results.js";

const env = inject("cluster");
const { namespace, images } = JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as {
  namespace: string;
  images: Record<string, string>;
};
const DB = { host: "10.244.0.1", port: 27017 };
const svc = (app: string) => `${app}.${namespace}.svc.cluster.local`;
const podOf = (app: string) =>
  kubectl(["get", "pods", "-n", namespace, "-l", `app=${app}`, "-o", "jsonpath={.items[0].metadata.name}"])
    .stdout;
const matrix: Record<string, Record<string, boolean>> = {};
const record = (from: string, to: string, open: boolean) => {
  (matrix[from] ??= {})[to] = open;
  return open;
};

// The policies the platform layer created (default deny, DNS egress, gateway -> apps, app-a -> app-b, apps -> DB),
// enforced by kube-router on the local cluster.
describe("the platform's NetworkPolicies, enforced", () => {
  beforeAll(() => {
    kubectl(["apply", "-f", "-"], { input: probePodManifest(namespace, "policy-probe", images["app-a"]!) });
    kubectl(["wait", "--for=condition=Ready", "pod/policy-probe", "-n", namespace, "--timeout=120s"]);
  });
  afterAll(() => {
    kubectl(["delete", "pod", "policy-probe", "-n", namespace, "--wait=false"], { allowFailure: true });
    console.log(`who reached whom (true = connected):\n${JSON.stringify(matrix, null, 2)}`);
    recordResult("network-policy", { matrix });
  });

  it("when app-a connects to app-b and to the database, then both are reachable", () => {
    const appA = podOf("app-a");
    expect(record("app-a", "app-b", canConnect(namespace, appA, svc("app-b"), 3001))).toBe(true);
    expect(record("app-a", "database", canConnect(namespace, appA, DB.host, DB.port))).toBe(true);
  });

  it("when app-b connects to the database, then it is reachable, and app-a is not", () => {
    const appB = podOf("app-b");
    expect(record("app-b", "database", canConnect(namespace, appB, DB.host, DB.port))).toBe(true);
    expect(record("app-b", "app-a", canConnect(namespace, appB, svc("app-a"), 3000))).toBe(false);
  });

  it("when a pod with no allowed labels tries, then it reaches neither app nor the database, but DNS works", () => {
    expect(resolveIn(namespace, "policy-probe", svc("app-b"))).toMatch(/^10\.96\./);
    expect(record("unlabelled pod", "app-a", canConnect(namespace, "policy-probe", svc("app-a"), 3000))).toBe(
      false,
    );
    expect(record("unlabelled pod", "app-b", canConnect(namespace, "policy-probe", svc("app-b"), 3001))).toBe(
      false,
    );
    expect(
      record("unlabelled pod", "database", canConnect(namespace, "policy-probe", DB.host, DB.port)),
    ).toBe(false);
  });

  it("when the Gateway's traffic comes in, then it reaches both apps", async () => {
    const jwks = await httpsGet(`${env.GATEWAY_URL}/.well-known/jwks.json`, env.CA_FILE);
    const jobs = await httpsGet(`${env.GATEWAY_URL}/v1/jobs?limit=1`, env.CA_FILE);
    expect(record("gateway", "app-b", jwks.status === 200)).toBe(true);
    // Any answer from app-a itself (its version header), not a Gateway error, proves the flow.
    expect(record("gateway", "app-a", jobs.headers["x-app-version"] !== undefined)).toBe(true);
  });
});
