import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** Absolute path of `name` on PATH, or a thrown error that says how to install it. */
export function requireTool(name: string, install: string): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not on PATH. It is required for this test (not optional): ${install}`);
}

export function run(bin: string, args: string[], cwd?: string) {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
