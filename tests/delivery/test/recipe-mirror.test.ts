import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDockerfile, runCommand } from "../src/dockerfile.js";
import { repoPath } from "../src/paths.js";

/** The Dockerfile steps that turn the context into /app, as `RUN <cmd>`, `WORKDIR <dir>` or `COPY <args>`. */
function dockerfileSteps(): string[] {
  const steps: string[] = [];
  let stage = "";
  for (const { keyword, args } of parseDockerfile(readFileSync(repoPath("Dockerfile"), "utf8"))) {
    if (keyword === "FROM") stage = /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? "";
    // The tools stage installs pnpm and turbo; the script checks the same versions are on PATH instead.
    if (stage === "tools") continue;
    if (keyword === "RUN") steps.push(`RUN ${runCommand(args)}`);
    if (keyword === "WORKDIR" || keyword === "COPY") steps.push(`${keyword} ${args}`);
  }
  return steps;
}

/** The script's lines marked `#> <instruction>`, with `#> RUN` replaced by the command it marks. */
function scriptSteps(): string[] {
  const steps: string[] = [];
  for (const line of readFileSync(repoPath("tests/delivery/recipe.sh"), "utf8").split("\n")) {
    const marker = line.indexOf(" #> ");
    if (marker === -1) continue;
    const command = line.slice(0, marker).trim();
    const instruction = line.slice(marker + 4).trim();
    steps.push(instruction === "RUN" ? `RUN ${command}` : instruction);
  }
  return steps;
}

describe("image recipe script", () => {
  it("when compared with the Dockerfile, then it performs the same steps in the same order", () => {
    const docker = dockerfileSteps();
    expect(docker.filter((s) => s.startsWith("RUN ")).length).toBeGreaterThanOrEqual(4);
    expect(scriptSteps()).toEqual(docker);
  });
});
