import { spawnSync } from "node:child_process";
import { globSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedGitEnv } from "../src/git-env.js";
import { parseGithubOutput } from "../src/github-output.js";
import { repoPath, repoRoot } from "../src/paths.js";

const gitEnv = isolatedGitEnv({ PATH: process.env.PATH, HOME: tmpdir() });

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env: gitEnv, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function git(args: readonly string[], cwd: string): string {
  const result = run("git", args, cwd);
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A repository with a bare origin, one commit of the given files. */
function repository(files: Record<string, string>): { dir: string; remote: string } {
  const root = mkdtempSync(path.join(tmpdir(), "release-scripts-"));
  const dir = path.join(root, "work");
  const remote = path.join(root, "remote.git");
  git(["init", "--quiet", "--bare", "--initial-branch=main", remote], root);
  mkdirSync(dir);
  git(["init", "--quiet", "--initial-branch=main"], dir);
  write(dir, files);
  git(["add", "."], dir);
  git(["commit", "--quiet", "-m", "initial"], dir);
  git(["remote", "add", "origin", remote], dir);
  git(["push", "--quiet", "origin", "main"], dir);
  return { dir, remote };
}
function write(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}
const script = (name: string, args: readonly string[], cwd: string) =>
  run("bash", [repoPath(`.github/scripts/${name}`), ...args], cwd);

describe("release scripts", () => {
  it("when `changeset git-tag` (Changesets CLI 3) runs on this workspace, then only the apps get release tags", () => {
    // The workspace's manifests and Changesets config, as they are, in a fresh repository without tags.
    const manifests = [
      "package.json",
      "pnpm-workspace.yaml",
      ".changeset/config.json",
      ...globSync("*/*/package.json", { cwd: repoRoot }),
      ...globSync("*/package.json", { cwd: repoRoot }),
    ].filter((file) => !file.includes("node_modules"));
    const files = Object.fromEntries(manifests.map((file) => [file, readFileSync(repoPath(file), "utf8")]));
    const { dir } = repository(files);
    const cli = repoPath("node_modules/@changesets/cli/bin.js");
    const report = path.join(dir, "..", "report.ndjson");
    const result = spawnSync(process.execPath, [cli, "git-tag"], {
      cwd: dir,
      env: { ...gitEnv, CHANGESETS_OUTPUT: report },
      encoding: "utf8",
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const apps = globSync("apps/*/package.json", { cwd: repoRoot }).map(
      (file) => JSON.parse(readFileSync(repoPath(file), "utf8")) as { name: string; version: string },
    );
    expect(git(["tag", "--list"], dir).trim().split("\n").sort()).toEqual(
      apps.map((a) => `${a.name}@${a.version}`).sort(),
    );
    // The report changesets/action turns into published-packages names the same tags.
    const events = readFileSync(report, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { tag: string });
    expect(events.map((e) => e.tag).sort()).toEqual(apps.map((a) => `${a.name}@${a.version}`).sort());
  });

  it("when released-apps.sh reads published-packages, then only apps remain, with the versions the smoke test expects", () => {
    const result = script(
      "released-apps.sh",
      [
        JSON.stringify([
          { name: "app-a", version: "1.2.0" },
          { name: "e2e", version: "0.1.0" },
          { name: "app-b", version: "0.4.1" },
        ]),
      ],
      repoRoot,
    );
    expect(result.status, result.stderr).toBe(0);
    const outputs = parseGithubOutput(result.stdout);
    expect(JSON.parse(outputs.get("apps")!)).toEqual([
      { name: "app-a", version: "1.2.0" },
      { name: "app-b", version: "0.4.1" },
    ]);
    expect(outputs.get("versions")).toBe("app-a=1.2.0 app-b=0.4.1");
    expect(parseGithubOutput(script("released-apps.sh", ["[]"], repoRoot).stdout).get("apps")).toBe("[]");
  });

  it("when push-release-tags.sh runs twice (a re-run), then each tag is pushed once, at the released commit", () => {
    const { dir, remote } = repository({ "README.md": "x\n" });
    const head = git(["rev-parse", "HEAD"], dir).trim();
    const apps = JSON.stringify([{ name: "app-a", version: "1.2.0" }]);
    expect(script("push-release-tags.sh", [apps, head], dir).status).toBe(0);
    const again = script("push-release-tags.sh", [apps, head], dir);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("app-a@1.2.0 already on origin");
    expect(git(["rev-parse", "app-a@1.2.0^{commit}"], remote).trim()).toBe(head);
  });

  it("when changed-layers.sh compares with deployed/<stack>, then recorded images are no change and each layer is told apart", () => {
    const stackFile = "infra/platform/Pulumi.dev.yaml";
    const { dir } = repository({
      [stackFile]:
        "config:\n  gke-platform:services:\n    app-a:\n      image: r/app-a@sha256:1\n      minReplicas: 1\n",
      "infra/src/platform/index.ts": "1\n",
      "infra/src/cloud/index.ts": "1\n",
    });
    const layers = () =>
      Object.fromEntries(parseGithubOutput(script("changed-layers.sh", ["dev"], dir).stdout));
    expect(layers()).toEqual({ cloud: "true", platform: "true" }); // never deployed
    git(["tag", "deployed/dev"], dir);
    git(["push", "--quiet", "origin", "deployed/dev"], dir);
    const commit = (files: Record<string, string>) => {
      write(dir, files);
      git(["add", "-A"], dir);
      git(["commit", "--quiet", "-m", "change"], dir);
    };
    commit({
      [stackFile]:
        "config:\n  gke-platform:services:\n    app-a:\n      image: r/app-a@sha256:2\n      minReplicas: 1\n",
      "infra/README.md": "docs\n",
    });
    expect(layers()).toEqual({ cloud: "false", platform: "false" });
    commit({
      [stackFile]:
        "config:\n  gke-platform:services:\n    app-a:\n      image: r/app-a@sha256:2\n      minReplicas: 2\n",
    });
    expect(layers()).toEqual({ cloud: "false", platform: "true" }); // a setting of the service, not its image
    git(["tag", "--force", "deployed/dev"], dir);
    git(["push", "--quiet", "--force", "origin", "deployed/dev"], dir);
    commit({ "infra/src/platform/index.ts": "2\n", "infra/platform/Pulumi.prod.yaml": "config: {}\n" });
    expect(layers()).toEqual({ cloud: "false", platform: "true" });
    git(["tag", "--force", "deployed/dev"], dir);
    git(["push", "--quiet", "--force", "origin", "deployed/dev"], dir);
    commit({ "infra/src/cloud/index.ts": "2\n" });
    expect(layers()).toEqual({ cloud: "true", platform: "false" });
  });
});
