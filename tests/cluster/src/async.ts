/** A command run without blocking the event loop (load generators keep running in this process meanwhile). */
import { execFile } from "node:child_process";
import { repoRoot } from "./cluster.js";
import type { Run } from "./cluster.js";

export function runAsync(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: repoRoot,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 900_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({
          status,
          stdout,
          stderr,
          output: `${stdout}\n${stderr}${error ? `\n${error.message}` : ""}`,
        });
      },
    );
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
