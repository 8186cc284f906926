import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parseGithubOutput } from "./github-output.js";
import { loadWorkflows } from "./workflows.js";

/** What a step run left: its exit status, its log, and the outputs it wrote to $GITHUB_OUTPUT. */
export interface StepRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Map<string, string>;
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/**
 * Runs one `run:` step of a workflow as the runner does: `bash --noprofile --norc -eo pipefail` in `cwd`, with the
 * step's `env:`, each `${{ expression }}` in it replaced by the value `values` gives for that expression, and
 * $GITHUB_OUTPUT read back as the runner reads it. An expression the test gives no value for throws, and so does
 * one in the script itself, so a changed workflow cannot run with inputs the test did not mean.
 */
export function runWorkflowStep(
  file: string,
  job: string,
  stepId: string,
  options: { cwd: string; values: Record<string, string>; env?: NodeJS.ProcessEnv },
): StepRun {
  const workflow = loadWorkflows().find((w) => w.file === `.github/workflows/${file}`);
  const step = workflow?.jobs[job]?.steps?.find((s) => s.id === stepId);
  if (step?.run === undefined) throw new Error(`${file}: no run step ${job}.${stepId}`);
  if (step.run.includes("${{")) throw new Error(`${file} ${job}.${stepId}: expressions in run: (use env:)`);
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([name, value]) => [
      name,
      value.replace(EXPRESSION, (_, expression: string) => {
        const given = options.values[expression];
        if (given === undefined) throw new Error(`${file} ${job}.${stepId}: no value for ${expression}`);
        return given;
      }),
    ]),
  );
  const output = path.join(mkdtempSync(path.join(tmpdir(), "step-")), "github-output");
  writeFileSync(output, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
    cwd: options.cwd,
    env: { ...options.env, ...env, GITHUB_OUTPUT: output },
    encoding: "utf8",
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseGithubOutput(readFileSync(output, "utf8")),
  };
}
