import { globSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { baseImages, fromArgs, parseDockerfile, type Instruction } from "../src/dockerfile.js";
import { repoPath, repoRoot } from "../src/paths.js";
import { runTool } from "../src/tools.js";

const dockerfiles = globSync("**/Dockerfile*", {
  cwd: repoRoot,
  exclude: (name) => name === "node_modules" || name === ".git",
});
const instructions = parseDockerfile(readFileSync(repoPath("Dockerfile"), "utf8"));

/** Instructions of the last stage, the one that becomes the image. */
function finalStage(all: readonly Instruction[]): Instruction[] {
  const lastFrom = all.map((i) => i.keyword).lastIndexOf("FROM");
  return all.slice(lastFrom);
}

describe("Dockerfiles", () => {
  it("when the repository is searched, then the one parameterised Dockerfile is found", () => {
    expect(dockerfiles).toContain("Dockerfile");
  });

  it.each(dockerfiles)("when hadolint checks %s, then it reports nothing", (file) => {
    const result = runTool("hadolint", ["--failure-threshold", "info", file], repoRoot);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(dockerfiles)("when %s names a base image, then it is pinned by digest", (file) => {
    const images = baseImages(parseDockerfile(readFileSync(repoPath(file), "utf8")));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^[^\s$]+:[^\s@]+@sha256:[0-9a-f]{64}$/);
  });

  it.each(dockerfiles)(
    "when %s pins a base image, then the digest is a real one, not a placeholder, and check-base-images.sh accepts it",
    (file) => {
      const images = baseImages(parseDockerfile(readFileSync(repoPath(file), "utf8")));
      for (const image of images) {
        const digest = image.slice(image.indexOf("@sha256:") + "@sha256:".length);
        // A digest of one repeated character is a placeholder that no registry will ever serve.
        expect(digest, image).not.toMatch(/^(.)\1{63}$/);
      }
      const check = runTool(".github/scripts/check-base-images.sh", [file], repoRoot);
      expect(check.output).toBe("");
      expect(check.status).toBe(0);
    },
  );

  it("when the repository shows how to build an image by hand, then it builds for the nodes' platform (linux/amd64)", () => {
    // An image built on an arm64 laptop without --platform starts on GKE's amd64 nodes as `exec format error`.
    const sources = [
      "Dockerfile",
      ...globSync("**/*.md", { cwd: repoRoot, exclude: (n) => n === "node_modules" }),
    ];
    const builds = sources.flatMap((file) =>
      [...readFileSync(repoPath(file), "utf8").matchAll(/docker (?:buildx )?build [^\n]*/g)].map((m) => ({
        file,
        command: m[0],
      })),
    );
    expect(builds.length).toBeGreaterThan(0);
    for (const { file, command } of builds) expect(command, file).toContain("--platform linux/amd64");
  });

  it("when the tools stage installs pnpm and turbo, then they are the versions the workspace pins", () => {
    const root = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { packageManager: string };
    const workspace = readFileSync(repoPath("pnpm-workspace.yaml"), "utf8");
    const catalogTurbo = /^\s+turbo:\s*(\S+)/m.exec(workspace)?.[1];
    const args = instructions.filter((i) => i.keyword === "ARG").map((i) => i.args);
    expect(args).toContain(`PNPM_VERSION=${root.packageManager.replace("pnpm@", "")}`);
    expect(args).toContain(`TURBO_VERSION=${String(catalogTurbo)}`);
  });

  it("when the image runs, then it is distroless, non-root, production, and node gets signals directly", () => {
    const stage = finalStage(instructions);
    const from = stage[0];
    expect(from && fromArgs(instructions, from)).toMatch(/^gcr\.io\/distroless\/nodejs24-/);
    const user = stage.filter((i) => i.keyword === "USER").at(-1)?.args;
    expect(user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(stage.some((i) => i.keyword === "ENV" && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
    const entrypoint = stage.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "";
    // Exec form (a JSON array): a shell form would make /bin/sh PID 1 and swallow SIGTERM.
    const argv = JSON.parse(entrypoint) as string[];
    expect(argv[0]).toBe("/nodejs/bin/node");
    expect(argv.at(-1)).toBe("dist/main.js");
  });

  it("when the image is built, then only build output and production dependencies reach the final stage", () => {
    const copies = finalStage(instructions).filter((i) => i.keyword === "COPY");
    for (const copy of copies)
      expect(copy.args).toMatch(/^--from=build \/deploy\/(package\.json|node_modules|dist) /);
  });

  it("when a build argument or variable is declared, then it is not a secret", () => {
    const declared = instructions
      .filter((i) => i.keyword === "ARG" || i.keyword === "ENV")
      .map((i) => i.args);
    for (const text of declared) expect(text).not.toMatch(/SECRET|TOKEN|PASSWORD|PRIVATE|CREDENTIAL|_KEY/i);
  });

  it("when the build context is sent, then dependencies, build output, VCS data and secrets stay out", () => {
    const ignored = readFileSync(repoPath(".dockerignore"), "utf8").split("\n");
    for (const pattern of [
      "**/node_modules",
      "**/dist",
      ".git",
      "**/.env",
      "**/.env.*",
      "**/*.pem",
      "**/*.key",
    ]) {
      expect(ignored).toContain(pattern);
    }
  });
});
