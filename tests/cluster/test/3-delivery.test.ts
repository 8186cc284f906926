import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMixedLoad } from "load-tools";
import type { Result } from "load-tools";
import { describe, expect, inject, it } from "vitest";
import { runAsync, sleep } from "../src/async.js";
import { cluster, clusterEnvLines, kubectl, pulumi } from "../src/cluster.js";

const env = inject("cluster");
const MIN_REQUESTS = 20_000;
const outputs = () =>
  JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as {
    namespace: string;
    images: { appA: string; appB: string };
  };
const pods = (namespace: string, app: string) =>
  kubectl(["get", "pods", "-n", namespace, "-l", `app=${app}`, "-o", "jsonpath={.items[*].metadata.name}"])
    .stdout.split(" ")
    .filter(Boolean);
/** The environment the delivery scripts get in a workflow, pointed at the local stack. */
const deliveryEnv = () => ({
  ...clusterEnvLines(),
  STACK: "local",
  GATEWAY_CA_FILE: env.CA_FILE,
});

/** A bounded keep-alive load through the Gateway while `during` runs; at least MIN_REQUESTS in all. */
async function underLoad<T>(during: () => Promise<T>): Promise<{ value: T; load: Result }> {
  const load = startMixedLoad({
    baseUrl: env.GATEWAY_URL,
    caFile: env.CA_FILE,
    connections: 8,
    requests: 400_000,
    durationMs: 900_000,
  });
  const value = await during();
  while (load.snapshot().total < MIN_REQUESTS) await sleep(500);
  return { value, load: await load.stop() };
}

function newImages(version: string): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const app of ["app-a", "app-b"]) {
    const built = cluster(["image", app, version], 900_000);
    if (built.status !== 0) throw new Error(`cluster image ${app} failed:\n${built.output}`);
    refs[app] = built.stdout.trim().split("\n").at(-1) ?? "";
  }
  return refs;
}

/** Lines as GitHub's runner reads $GITHUB_OUTPUT: `name=value`, or `name<<DELIM` ... `DELIM`. */
function parseGithubOutput(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const heredoc = /^([A-Za-z_][A-Za-z0-9_-]*)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end === -1) throw new Error(`unterminated ${heredoc[1]}<<${heredoc[2]}`);
      values[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const pair = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line);
    if (!pair?.[1]) throw new Error(`the runner would reject line ${String(i + 1)}: ${line}`);
    values[pair[1]] = pair[2] ?? "";
  }
  return values;
}

describe("zero-downtime delivery with the project's own scripts, on the local cluster", () => {
  it("when v2 is rolled out with deploy.sh under load, then no request fails and every v1 pod is replaced", async () => {
    const { namespace } = outputs();
    const v1 = { "app-a": pods(namespace, "app-a"), "app-b": pods(namespace, "app-b") };
    const v2 = newImages("0.2.0");
    const dir = mkdtempSync(join(tmpdir(), "deploy-"));
    for (const [app, ref] of Object.entries(v2)) writeFileSync(join(dir, app), `${ref}\n`);
    const githubOutput = join(dir, "github-output");

    const { value: deploy, load } = await underLoad(async () => {
      const run = await runAsync(
        "bash",
        [".github/scripts/deploy.sh", "local", dir, join(dir, "previous.json")],
        {
          env: deliveryEnv(),
        },
      );
      writeFileSync(githubOutput, run.stdout);
      return run;
    });

    console.log(
      `rolling deploy v1 -> v2: ${JSON.stringify({ total: load.total, failed: load.failed, versions: load.versionsSeen })}`,
    );
    expect(deploy.status, deploy.output).toBe(0);
    expect(load.failures, JSON.stringify(load.failures)).toEqual([]);
    expect(load.failed).toBe(0);
    expect(load.total).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(Object.keys(load.versionsSeen)).toEqual(expect.arrayContaining(["app-a@0.2.0", "app-b@0.2.0"]));

    const written = parseGithubOutput(readFileSync(githubOutput, "utf8"));
    expect(Object.keys(written).sort()).toEqual(["first_deploy", "gateway_ip", "images", "url"]);
    expect(JSON.parse(written.images ?? "{}")).toEqual(v2);
    expect(outputs().images).toEqual({ appA: v2["app-a"], appB: v2["app-b"] });
    for (const app of ["app-a", "app-b"] as const) {
      const now = pods(namespace, app);
      expect(now.filter((p) => v1[app].includes(p))).toEqual([]);
    }

    const smoke = await runAsync(
      "bash",
      [
        ".github/scripts/smoke-test.sh",
        "--cacert",
        env.CA_FILE,
        "--expect-version",
        "app-a=0.2.0",
        "--expect-version",
        "app-b=0.2.0",
        env.GATEWAY_URL,
      ],
      { env: deliveryEnv(), timeoutMs: 300_000 },
    );
    expect(smoke.status, smoke.output).toBe(0);
  });

  it("when a pod is deleted under load, then no request fails", async () => {
    const { namespace } = outputs();
    const { load } = await underLoad(async () => {
      for (const app of ["app-a", "app-b"]) {
        const [victim] = pods(namespace, app);
        kubectl(["delete", "pod", "-n", namespace, victim ?? "", "--wait=false"]);
      }
      await sleep(30_000);
    });
    console.log(`pod delete: ${JSON.stringify({ total: load.total, failed: load.failed })}`);
    expect(load.failures, JSON.stringify(load.failures)).toEqual([]);
    expect(load.failed).toBe(0);
  });

  it("when an app container is killed with SIGKILL under load, then only requests in flight on it fail and the service keeps answering", async () => {
    const { namespace } = outputs();
    let killedAtMs = 0;
    const { load } = await underLoad(async () => {
      await sleep(5_000);
      const [victim] = pods(namespace, "app-a");
      const id = kubectl([
        "get",
        "pod",
        "-n",
        namespace,
        victim ?? "",
        "-o",
        "jsonpath={.status.containerStatuses[0].containerID}",
      ]).stdout.replace("containerd://", "");
      // The app is PID 1 of its container: SIGKILL it from the node, as the kernel's OOM killer would.
      const killed = await runAsync("bash", [
        "-c",
        `kill -KILL "$(crictl --runtime-endpoint unix:///run/gke-platform-cluster/containerd/containerd.sock inspect --output go-template --template '{{.info.pid}}' ${id})"`,
      ]);
      expect(killed.status, killed.output).toBe(0);
      killedAtMs = Date.now();
      await sleep(30_000);
    });
    const sinceKill = (atMs: number) => atMs - (killedAtMs - Date.parse(load.startedAt));
    const late = load.failures.filter((f) => sinceKill(f.atMs) > 5_000);
    console.log(
      `SIGKILL: ${JSON.stringify({ total: load.total, failed: load.failed, failures: load.failures.map((f) => f.reason) })}`,
    );
    // Requests already sent to the killed process cannot be answered (the Gateway does not retry them); at most
    // one per connection, and none once the endpoint is gone.
    expect(load.failed).toBeLessThanOrEqual(8);
    expect(late).toEqual([]);
  });
});
