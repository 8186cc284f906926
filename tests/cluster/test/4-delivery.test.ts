import { readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGithubOutput, OUTPUT_NAME } from "delivery-checks/github-output";
import { startMixedLoad } from "load-tools";
import type { RunningLoad } from "load-tools";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pulumi, repoRoot } from "../src/cluster.js";
import {
  buildImage,
  deliveryScript,
  DELIVERY_MIX,
  imagesDir,
  kubectlAsync,
  podsOf,
  runAsync,
  STACK,
  stepBetween,
  versionsOf,
  waitForRequests,
  waitUntil,
} from "../src/delivery.js";
import type { PodState, Step } from "../src/delivery.js";
import { recordResult } from "../src/results.js";

const env = inject("cluster");
const APPS = ["app-a", "app-b"] as const;
type Images = Record<(typeof APPS)[number], string>;

const stackOutputs = () =>
  JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as {
    namespace: string;
    images: Images;
  };
// The `images` output is keyed by service name, as the delivery scripts' images files are.
const byApp = (images: Images): Images => ({ "app-a": images["app-a"], "app-b": images["app-b"] });
const { namespace } = stackOutputs();
const v1 = byApp(stackOutputs().images);
const V1_VERSION = JSON.parse(readFileSync(join(repoRoot, "apps/app-a/package.json"), "utf8")) as {
  version: string;
};

const allPods = async () => (await Promise.all(APPS.map((app) => podsOf(namespace, app)))).flat();
const imagesRunning = async () => new Set((await allPods()).map((p) => p.image));
/** Every pod of every app runs the given images and is Ready; nothing else is left, terminating or not. */
const onlyRunning = async (images: Images) => {
  const pods = await allPods();
  const wanted = new Set(Object.values(images));
  return pods.length > 0 && pods.every((p) => wanted.has(p.image) && p.ready && !p.terminating);
};

// One load through the Gateway for the whole file: it starts before the first deploy and runs through the
// rollout to v2, the smoke tests, the failed deploy of v3 and its rollback, and the pod deletions. Each test
// reads what its own step cost from snapshots of the load.
describe("delivery on the local cluster, under load, with the workflows' own scripts", () => {
  let v2: Images;
  let v3: Images;
  let load: RunningLoad;
  const steps: Step[] = [];
  let deployStdout = "";

  beforeAll(async () => {
    v2 = { "app-a": buildImage("app-a", "2.0.0"), "app-b": buildImage("app-b", "2.0.0") };
    v3 = { "app-a": buildImage("app-a", "3.0.0", true), "app-b": v2["app-b"] };
    load = startMixedLoad({
      baseUrl: env.GATEWAY_URL,
      caFile: env.CA_FILE,
      connections: 8,
      durationMs: 1_200_000,
      mix: DELIVERY_MIX,
      seed: 20261202,
    });
    await waitForRequests(load, 1000, 120_000);
  }, 1_200_000);

  afterAll(async () => {
    const totals = await load.stop();
    recordResult("delivery", { steps, totals });
    console.log(`delivery steps: ${JSON.stringify(steps, null, 1)}`);
  });

  it("when v2 is rolled out by deploy.sh under load, then none of at least 20,000 requests fails, every v1 pod is replaced and the stack's images name v2", async () => {
    const before = load.snapshot();
    const v1Pods = (await allPods()).map((p) => p.name);
    const previous = join(mkdtempSync(join(tmpdir(), "previous-")), "images.json");
    const started = Date.now();
    const deploy = await deliveryScript("deploy.sh", [STACK, imagesDir(v2), previous]);
    const deploySeconds = (Date.now() - started) / 1000;
    expect(deploy.status, deploy.output.slice(-6000)).toBe(0);
    deployStdout = deploy.stdout;
    await waitUntil("v1's pods to be gone", 180_000, () => onlyRunning(v2));
    await waitForRequests(load, before.total + 20_000, 600_000);
    const step = stepBetween("deploy v1 -> v2", before, load.snapshot());
    step.scripts = { "deploy.sh": deploySeconds };
    steps.push(step);

    expect(step.failed, JSON.stringify(load.snapshot().failures)).toBe(0);
    expect(step.requests).toBeGreaterThanOrEqual(20_000);
    // The load saw both versions of both apps: the old ones answered until they were replaced.
    for (const app of APPS) {
      expect(Object.keys(versionsOf(step.versions, app)).sort(), app).toEqual(
        [`${app}@${V1_VERSION.version}`, `${app}@2.0.0`].sort(),
      );
    }
    const names = (await allPods()).map((p) => p.name);
    expect(names.filter((n) => v1Pods.includes(n))).toEqual([]);
    expect(byApp(stackOutputs().images)).toEqual(v2);
    expect(JSON.parse(readFileSync(previous, "utf8"))).toEqual(v1);
  });

  it("when deploy.sh's stdout is appended to $GITHUB_OUTPUT, then the runner reads only skipped, url, gateway_ip, first_deploy and images", () => {
    const file = join(mkdtempSync(join(tmpdir(), "github-output-")), "output");
    writeFileSync(file, deployStdout);
    const outputs = parseGithubOutput(readFileSync(file, "utf8"));
    expect([...outputs.keys()].sort()).toEqual(["first_deploy", "gateway_ip", "images", "skipped", "url"]);
    expect(outputs.get("skipped")).toBe("false");
    for (const name of outputs.keys()) expect(name).toMatch(OUTPUT_NAME);
    expect(outputs.get("url")).toBe(env.GATEWAY_URL);
    expect(outputs.get("first_deploy")).toBe("false");
    expect(JSON.parse(outputs.get("images") ?? "")).toEqual(v2);
  });

  it("when smoke-test.sh runs against the Gateway, then it passes for the served versions and fails for any other", async () => {
    const smoke = (versions: string[]) =>
      deliveryScript(
        "smoke-test.sh",
        [
          "--cacert",
          env.CA_FILE,
          "--wait",
          "30",
          ...versions.flatMap((v) => ["--expect-version", v]),
          env.GATEWAY_URL,
        ],
        120_000,
      );
    const served = await smoke(["app-a=2.0.0", "app-b=2.0.0"]);
    expect(served.status, served.output).toBe(0);
    const other = await smoke([`app-a=${V1_VERSION.version}`, "app-b=2.0.0"]);
    expect(other.status).not.toBe(0);
    expect(other.output).toContain(`app-a`);
    expect(other.output).toContain("2.0.0");
  });

  it("when v3 never becomes ready, then deploy.sh fails, rollback.sh restores exactly v2, and no request fails throughout", async () => {
    const before = load.snapshot();
    const config = (args: string[]) =>
      runAsync("bash", [join(repoRoot, "scripts/cluster/cluster.sh"), "pulumi", "config", ...args]);
    const timeout = (await config(["get", "rolloutTimeoutSeconds"])).stdout.trim();
    // The deploy's wait for the rollout is the stack's rolloutTimeoutSeconds: short here, so the test is too.
    expect((await config(["set", "rolloutTimeoutSeconds", "45"])).status).toBe(0);
    const previous = join(mkdtempSync(join(tmpdir(), "previous-")), "images.json");
    let deploy;
    const started = Date.now();
    try {
      deploy = await deliveryScript("deploy.sh", [STACK, imagesDir({ "app-a": v3["app-a"] }), previous]);
    } finally {
      expect((await config(["set", "rolloutTimeoutSeconds", timeout || "600"])).status).toBe(0);
    }
    const deploySeconds = (Date.now() - started) / 1000;
    expect(deploy.status).not.toBe(0);
    expect(deploy.stdout).toBe("");
    expect(await imagesRunning()).toContain(v3["app-a"]);
    expect(JSON.parse(readFileSync(previous, "utf8"))).toEqual(v2);

    const rolledBack = Date.now();
    const rollback = await deliveryScript("rollback.sh", [STACK, previous]);
    const rollbackSeconds = (Date.now() - rolledBack) / 1000;
    expect(rollback.status, rollback.output.slice(-6000)).toBe(0);
    expect(rollback.stdout).toBe("");
    await waitUntil("v3's pod to be gone", 180_000, () => onlyRunning(v2));
    expect(byApp(stackOutputs().images)).toEqual(v2);
    const smoke = await deliveryScript(
      "smoke-test.sh",
      [
        "--cacert",
        env.CA_FILE,
        "--expect-version",
        "app-a=2.0.0",
        "--expect-version",
        "app-b=2.0.0",
        env.GATEWAY_URL,
      ],
      120_000,
    );
    expect(smoke.status, smoke.output).toBe(0);

    const step = stepBetween("deploy v3 (never ready), rollback to v2", before, load.snapshot());
    step.scripts = { "deploy.sh": deploySeconds, "rollback.sh": rollbackSeconds };
    steps.push(step);
    expect(step.failed, JSON.stringify(load.snapshot().failures)).toBe(0);
    expect(step.versions["app-a@3.0.0"]).toBeUndefined();
    expect(step.requests).toBeGreaterThan(1000);
  });

  it.each(APPS)(
    "when a pod of %s is deleted under load, then no request fails and a new pod takes its place",
    async (app) => {
      const before = load.snapshot();
      const [victim] = await podsOf(namespace, app);
      if (!victim) throw new Error(`no pod of ${app}`);
      await kubectlAsync(["delete", "pod", victim.name, "-n", namespace, "--wait=true"]);
      await waitUntil(`a replacement for ${victim.name}`, 120_000, async () => {
        const pods = await podsOf(namespace, app);
        return pods.length >= 2 && pods.every((p: PodState) => p.ready && p.name !== victim.name);
      });
      await waitForRequests(load, load.snapshot().total + 500, 60_000);
      const step = stepBetween(`kubectl delete pod (${app})`, before, load.snapshot());
      steps.push(step);
      expect(step.failed, JSON.stringify(load.snapshot().failures)).toBe(0);
    },
  );
});
