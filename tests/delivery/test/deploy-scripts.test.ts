import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  configuredImages,
  createFakeStack,
  digest,
  imagesDir,
  ref,
  REGISTRY,
  STACK,
} from "../src/fake-stack.js";
import { OUTPUT_NAME, parseGithubOutput } from "../src/github-output.js";

const STACK_FILE = `infra/platform/Pulumi.${STACK}.yaml`;
const running = { "app-a": ref("app-a", "a"), "app-b": ref("app-b", "b") };

/** What a step does with `run: script ... >> "$GITHUB_OUTPUT"`: append stdout to the file, which starts empty. */
function asStepOutput(stdout: string): Map<string, string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "github-output-")), "output");
  writeFileSync(file, "");
  appendFileSync(file, stdout);
  return parseGithubOutput(readFileSync(file, "utf8"));
}

describe("deploy.sh, rollback.sh and record-images.sh against fake pulumi and kubectl", () => {
  it("when deploy.sh's stdout is appended to $GITHUB_OUTPUT, then the runner accepts every line and reads url, gateway_ip, first_deploy and images", () => {
    const stack = createFakeStack(running);
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("c") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(result.stderr).toContain("Updating (dev)"); // the tools' own output still reaches the log
    expect(result.status, result.stderr).toBe(0);

    const outputs = asStepOutput(result.stdout);
    expect([...outputs.keys()].sort()).toEqual(["first_deploy", "gateway_ip", "images", "skipped", "url"]);
    expect(outputs.get("skipped")).toBe("false");
    for (const name of outputs.keys()) expect(name).toMatch(OUTPUT_NAME);
    expect(outputs.get("url")).toBe("https://api.dev.example.com");
    expect(outputs.get("gateway_ip")).toBe("203.0.113.7");
    expect(outputs.get("first_deploy")).toBe("false");
    expect(JSON.parse(outputs.get("images")!)).toEqual({
      "app-a": ref("app-a", "c"),
      "app-b": running["app-b"],
    });
  });

  it("when the stack sets rolloutTimeoutSeconds, then deploy.sh waits for each rollout no longer than that (the platform's 600 s when unset)", () => {
    const waits = (stack: ReturnType<typeof createFakeStack>) =>
      stack
        .calls()
        .filter((c) => c.startsWith("kubectl") && c.includes("rollout status"))
        .map((c) => c.match(/--timeout (\S+)/)?.[1]);
    const deploy = (stack: ReturnType<typeof createFakeStack>) =>
      stack.run(".github/scripts/deploy.sh", [
        STACK,
        imagesDir(stack, { "app-a": digest("c") }),
        path.join(stack.state, "previous.json"),
      ]);

    const unset = createFakeStack(running);
    expect(deploy(unset).status).toBe(0);
    expect(waits(unset)).toEqual(["600s", "600s"]);

    const short = createFakeStack(running);
    appendFileSync(
      path.join(short.checkout, `infra/platform/Pulumi.${STACK}.yaml`),
      '  gke-platform:rolloutTimeoutSeconds: "45"\n',
    );
    expect(deploy(short).status).toBe(0);
    expect(waits(short)).toEqual(["45s", "45s"]);
  });

  it("when a service has never been released (a new repository's first pushes), then deploy.sh changes nothing, says which, and reports skipped", () => {
    const stack = createFakeStack({});
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("c") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/::notice title=Deploy skipped::dev: no image yet for app-b/);
    expect(asStepOutput(result.stdout)).toEqual(new Map([["skipped", "true"]]));
    expect(stack.calls().filter((c) => / up /.test(c))).toEqual([]);
  });

  it("when the stack was last deployed before the catalogue (images output {appA, appB}), then the running images are read by service name and kept", () => {
    const stack = createFakeStack(running, { legacyImagesOutput: true });
    const previous = path.join(stack.state, "previous.json");
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("c") }),
      previous,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(previous, "utf8"))).toEqual(running);
    expect(configuredImages(path.join(stack.checkout, STACK_FILE))).toEqual({
      "app-a": ref("app-a", "c"),
      "app-b": running["app-b"],
    });
  });

  it("when a digest is deployed, then the stack file pulumi up read names it and a preview of that file shows no change", () => {
    const stack = createFakeStack(running);
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-b": digest("d") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(configuredImages(path.join(stack.checkout, STACK_FILE))).toEqual({
      "app-a": running["app-a"],
      "app-b": `${REGISTRY}/app-b@${digest("d")}`,
    });
    const preview = stack.run("tests/delivery/fixtures/fake-bin/pulumi", [
      "--cwd",
      "infra/platform",
      "preview",
      "--stack",
      STACK,
      "--expect-no-changes",
    ]);
    expect(preview.status, preview.stdout + preview.stderr).toBe(0);
  });

  it("when the deploy is recorded, then main on the remote names the running images and a fresh clone previews no change", () => {
    const stack = createFakeStack(running);
    const deploy = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("e"), "app-b": digest("f") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(deploy.status, deploy.stderr).toBe(0);
    const record = stack.run(".github/scripts/record-images.sh", [STACK]);
    expect(record.status, record.stderr).toBe(0);
    expect(record.stdout).toBe("");

    const clone = path.join(stack.state, "clone");
    stack.git(["clone", "--quiet", stack.remote, clone], stack.state);
    expect(configuredImages(path.join(clone, STACK_FILE))).toEqual({
      "app-a": ref("app-a", "e"),
      "app-b": ref("app-b", "f"),
    });
    expect(stack.git(["log", "-1", "--format=%s"], clone)).toMatch(
      /^deploy\(dev\): record running images .*\[skip ci\]$/m,
    );
    // The preview of the unchanged commit, from the fresh clone, against what the stack runs.
    const preview = stack.run("tests/delivery/fixtures/fake-bin/pulumi", [
      "--cwd",
      path.join(clone, "infra/platform"),
      "preview",
      "--stack",
      STACK,
      "--expect-no-changes",
    ]);
    expect(preview.stdout).toContain("unchanged");
    expect(preview.status).toBe(0);
    // A second record finds nothing to do and pushes nothing.
    const again = stack.run(".github/scripts/record-images.sh", [STACK]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("already names the running images");
  });

  it("when main moved on during the deploy, then the record lands on the new head and keeps that head's other edits", () => {
    const stack = createFakeStack(running);
    // Someone merges a change to another key of the same stack file while the deploy runs.
    const other = path.join(stack.state, "other");
    stack.git(["clone", "--quiet", stack.remote, other], stack.state);
    const file = path.join(other, STACK_FILE);
    writeFileSync(file, readFileSync(file, "utf8").replace(/minReplicas: \d+/, "minReplicas: 2"));
    stack.git(["commit", "--quiet", "-am", "dev: two replicas"], other);
    stack.git(["push", "--quiet", "origin", "main"], other);

    const deploy = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("9") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(deploy.status, deploy.stderr).toBe(0);
    expect(stack.run(".github/scripts/record-images.sh", [STACK]).status).toBe(0);

    stack.git(["pull", "--quiet", "--ff-only"], other);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/app-a:\n {6}image: \S+\n {6}minReplicas: 2\n/);
    expect(configuredImages(file)["app-a"]).toBe(ref("app-a", "9"));
    expect(stack.git(["log", "--format=%s"], other).split("\n").slice(0, 2)).toEqual([
      expect.stringMatching(/^deploy\(dev\): record/),
      "dev: two replicas",
    ]);
  });

  it("when the rollout fails, then rollback.sh restores exactly the previous references and prints nothing on stdout", () => {
    const stack = createFakeStack(running);
    const previous = path.join(stack.state, "previous.json");
    const deploy = stack.run(
      ".github/scripts/deploy.sh",
      [STACK, imagesDir(stack, { "app-a": digest("1") }), previous],
      { FAKE_ROLLOUT_FAIL: "1" },
    );
    expect(deploy.status).not.toBe(0);
    expect(deploy.stdout).toBe("");
    const rollback = stack.run(".github/scripts/rollback.sh", [STACK, previous]);
    expect(rollback.status, rollback.stderr).toBe(0);
    expect(rollback.stdout).toBe("");
    expect(stack.outputs().images).toEqual(running);
    expect(configuredImages(path.join(stack.checkout, STACK_FILE))).toEqual(running);
  });

  it("when the stack's backend cannot be read, then deploy.sh fails before recording or deploying anything", () => {
    const stack = createFakeStack(running);
    const previous = path.join(stack.state, "previous.json");
    const result = stack.run(
      ".github/scripts/deploy.sh",
      [STACK, imagesDir(stack, { "app-a": digest("5") }), previous],
      { FAKE_PULUMI_LOGIN_FAIL: "1" },
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("PULUMI_ACCESS_TOKEN must be set");
    expect(existsSync(previous)).toBe(false);
    expect(stack.calls().some((c) => c.includes(" up "))).toBe(false);
  });

  it("when an images file holds neither a digest nor a full reference, then nothing is deployed", () => {
    const stack = createFakeStack(running);
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": "latest" }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("neither a sha256 digest nor a full image reference");
    expect(stack.calls().some((c) => c.includes(" up "))).toBe(false);
  });

  it("when KUBECONFIG and GATEWAY_URL are given (a cluster without the cloud layer), then full references deploy and the cloud stack is never read", () => {
    const stack = createFakeStack(running);
    const kubeconfig = path.join(stack.state, "kubeconfig");
    writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
    const local = "docker.io/library/app-a:v2@" + digest("2");
    const result = stack.run(
      ".github/scripts/deploy.sh",
      [STACK, imagesDir(stack, { "app-a": local }), path.join(stack.state, "previous.json")],
      { KUBECONFIG: kubeconfig, GATEWAY_URL: "https://127.0.0.1:30443" },
    );
    expect(result.status, result.stderr).toBe(0);
    const outputs = asStepOutput(result.stdout);
    expect(outputs.get("url")).toBe("https://127.0.0.1:30443");
    expect(outputs.get("gateway_ip")).toBe("");
    expect(JSON.parse(outputs.get("images")!)).toMatchObject({ "app-a": local });
    expect(stack.calls().filter((c) => c.includes("infra/cloud"))).toEqual([]);
    expect(stack.calls().find((c) => c.startsWith("kubectl"))).toContain(`--kubeconfig`);
  });

  it("when nothing ran before, then deploy.sh reports a first deploy (the workflow then waits longer for the certificate)", () => {
    const stack = createFakeStack({});
    const result = stack.run(".github/scripts/deploy.sh", [
      STACK,
      imagesDir(stack, { "app-a": digest("3"), "app-b": digest("4") }),
      path.join(stack.state, "previous.json"),
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(asStepOutput(result.stdout).get("first_deploy")).toBe("true");
  });
});
