import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** What a stand-in program saw: its name, its arguments, and the environment variables asked for. */
export interface Invocation {
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** The kubelet's `$(VAR)` expansion of a container's command: defined variables only, `$$` escapes `$`. */
export function expandKubelet(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return "$";
    return env[name] ?? match;
  });
}

/**
 * Runs a container's `command` (a `/bin/sh` script) with the local `sh`, expanded as the kubelet expands it, and
 * with each program in `programs` replaced by a stand-in that records how it was called (NUL-separated, so an
 * argument with spaces or newlines stays one argument). Returns the calls in order.
 */
export function runContainerCommand(
  command: string[],
  env: Record<string, string>,
  options: { programs: string[]; recordEnv?: string[]; stdin?: string },
): { status: number | null; stderr: string; calls: Invocation[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "container-"));
  try {
    const log = path.join(dir, "calls");
    for (const program of options.programs) {
      const file = path.join(dir, program);
      const envLines = (options.recordEnv ?? []).map((name) => `printf '%s=%s\\0' ${name} "$${name}"`);
      writeFileSync(
        file,
        [
          "#!/bin/sh",
          `{ printf 'program=%s\\0' ${program}`,
          `  for a in "$@"; do printf 'arg=%s\\0' "$a"; done`,
          ...envLines.map((l) => `  ${l}`),
          `  printf 'end\\0'; } >> "${log}"`,
        ].join("\n"),
      );
      chmodSync(file, 0o755);
    }
    const [shell, ...args] = command.map((part) => expandKubelet(part, env));
    if (shell !== "/bin/sh") throw new Error(`expected a /bin/sh command, got ${String(shell)}`);
    const r = spawnSync("sh", args, {
      env: { ...env, PATH: `${dir}:/usr/bin:/bin` },
      input: options.stdin,
      encoding: "utf8",
    });
    const recorded = existsSync(log) ? readFileSync(log, "utf8") : "";
    const calls: Invocation[] = [];
    let current: Invocation | undefined;
    for (const field of recorded.split("\0")) {
      if (field.startsWith("program=")) current = { program: field.slice(8), args: [], env: {} };
      else if (field.startsWith("arg=")) current?.args.push(field.slice(4));
      else if (field === "end" && current) calls.push(current);
      else if (current && field.includes("=")) {
        const at = field.indexOf("=");
        current.env[field.slice(0, at)] = field.slice(at + 1);
      }
    }
    return { status: r.status, stderr: r.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
