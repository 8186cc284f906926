import { spawnSync } from "node:child_process";

/** Result of running a command to completion. */
export interface RunResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs a linter that the project installs with scripts/install-tools.sh. A missing binary is a failure with the
 * fix in the message, never a skip: these checks are what stands in for a container engine and GitHub here.
 */
export function runTool(tool: string, args: readonly string[], cwd: string): RunResult {
  const result = spawnSync(tool, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new Error(
        `${tool} is not on PATH. Run scripts/install-tools.sh (installs into ~/.cache/gke-platform/bin) ` +
          `and put that directory on PATH, or run through scripts/bootstrap.sh.`,
      );
    }
    throw result.error;
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
