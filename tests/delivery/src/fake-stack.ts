import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parse } from "yaml";

import { repoPath } from "./paths.js";
import { isolatedGitEnv } from "./git-env.js";

/** A checkout with the platform layer's stack file, fake pulumi/kubectl on PATH, and (optionally) a git remote. */
export interface FakeStack {
  /** The working directory the scripts run in (a git repository whose origin is `remote`). */
  readonly checkout: string;
  /** A bare repository standing in for GitHub. */
  readonly remote: string;
  /** Where the fake CLIs keep stack outputs and log their calls. */
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
  /** The platform stack's outputs now. */
  outputs(dir?: "platform" | "cloud"): Record<string, unknown>;
  /** Every pulumi/kubectl call so far. */
  calls(): string[];
  /** Runs a delivery script (by its path under .github/scripts) in the checkout. */
  run(script: string, args: readonly string[], env?: NodeJS.ProcessEnv): RunOutput;
  /** Runs git in the given directory (default the checkout); throws on failure. */
  git(args: readonly string[], cwd?: string): string;
}

export interface RunOutput {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const STACK = "dev";
export const REGISTRY = "europe-west1-docker.pkg.dev/platform-dev-1/platform";
export const digest = (char: string): string => `sha256:${char.repeat(64)}`;
export const ref = (app: string, char: string): string => `${REGISTRY}/${app}@${digest(char)}`;

/**
 * Sets up a fake deployment target: the repository's real `infra/platform/Pulumi.dev.yaml`, committed to a git
 * repository with a bare remote, the platform stack already running `running` and the cloud stack's outputs.
 */
export function createFakeStack(
  running: Record<string, string>,
  options: { legacyImagesOutput?: boolean } = {},
): FakeStack {
  const root = mkdtempSync(path.join(tmpdir(), "delivery-stack-"));
  const checkout = path.join(root, "checkout");
  const remote = path.join(root, "remote.git");
  const state = path.join(root, "state");
  mkdirSync(state);
  mkdirSync(path.join(checkout, "infra/platform"), { recursive: true });
  mkdirSync(path.join(checkout, "infra/cloud"), { recursive: true });
  const stackFile = `infra/platform/Pulumi.${STACK}.yaml`;
  copyFileSync(repoPath(stackFile), path.join(checkout, stackFile));
  writeFileSync(path.join(checkout, "infra/platform/Pulumi.yaml"), "name: gke-platform\nruntime: nodejs\n");

  const env = isolatedGitEnv({
    PATH: `${repoPath("tests/delivery/fixtures/fake-bin")}:${process.env.PATH ?? ""}`,
    HOME: root,
    FAKE_STATE: state,
    FAKE_YAML_FROM: repoPath("tests/delivery/package.json"),
  });
  const git = (args: readonly string[], cwd = checkout): string => {
    const result = spawnSync("git", args, { cwd, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  git(["init", "--quiet", "--bare", "--initial-branch=main", remote], root);
  git(["init", "--quiet", "--initial-branch=main"]);
  git(["add", "."]);
  git(["commit", "--quiet", "-m", "initial"]);
  git(["remote", "add", "origin", remote]);
  git(["push", "--quiet", "origin", "main"]);

  // What the images output looked like before the catalogue, when asked for (the migration test).
  const images = options.legacyImagesOutput ? { appA: running["app-a"], appB: running["app-b"] } : running;
  writeFileSync(
    path.join(state, `platform.${STACK}.json`),
    JSON.stringify({ images, gatewayUrl: "https://api.dev.example.com", namespace: "platform" }),
  );
  writeFileSync(
    path.join(state, `cloud.${STACK}.json`),
    JSON.stringify({
      registryUrl: REGISTRY,
      gatewayIp: "203.0.113.7",
      kubeconfig: "apiVersion: v1\nkind: Config\n",
    }),
  );
  writeFileSync(path.join(state, "calls.log"), "");

  return {
    checkout,
    remote,
    state,
    env,
    outputs: (dir = "platform") =>
      JSON.parse(readFileSync(path.join(state, `${dir}.${STACK}.json`), "utf8")) as Record<string, unknown>,
    calls: () => readFileSync(path.join(state, "calls.log"), "utf8").split("\n").filter(Boolean),
    run: (script, args, extra = {}) => {
      const result = spawnSync("bash", [repoPath(script), ...args], {
        cwd: checkout,
        env: { ...env, ...extra },
        encoding: "utf8",
        timeout: 60_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    git,
  };
}

/** Writes an images directory: one file per app holding a digest or a full reference. */
export function imagesDir(stack: FakeStack, images: Record<string, string>): string {
  const dir = path.join(stack.state, `images-${String(Date.now())}-${String(Math.random()).slice(2)}`);
  mkdirSync(dir);
  for (const [app, value] of Object.entries(images)) writeFileSync(path.join(dir, app), `${value}\n`);
  return dir;
}

/** The images a stack file names (`services.<name>.image`), as `{"app-a": ref, "app-b": ref}`. */
export function configuredImages(file: string): Record<string, string | undefined> {
  const doc = (existsSync(file) ? parse(readFileSync(file, "utf8")) : null) as {
    config?: Record<string, unknown>;
  } | null;
  const services = (doc?.config?.["gke-platform:services"] ?? {}) as Record<
    string,
    { image?: string } | null
  >;
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s?.image]));
}
