import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { constants } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";

/** How a managed child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signal the child receives if this process dies without cleaning up (Linux, through `setpriv --pdeathsig`). */
  deathSignal?: NodeJS.Signals;
  /** Called with every stdout/stderr line, e.g. to print them with a prefix. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Lines kept for `logs()` (oldest dropped first). */
  maxLines?: number;
}

/** A child process that cannot outlive the process that started it. */
export interface ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the child has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Set once the child has exited. */
  exitInfo(): ExitInfo | undefined;
  /** Sends `signal`, waits for exit (SIGKILL after `timeoutMs`), returns the exit code (128 + n for a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
  /** SIGKILL to the child's whole process group (nginx workers included). */
  kill(): void;
  /** Output lines so far, stdout and stderr interleaved. */
  logs(): string[];
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** Finds an executable on PATH (or returns `undefined`). */
export function which(
  command: string,
  extraDirs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const dirs = [...(env.PATH ?? "").split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined)
    setprivPath = process.platform === "linux" ? (which("setpriv") ?? null) : null;
  return setprivPath;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a SIGKILL to each group is all we can do here.
  process.on("exit", () => {
    for (const managed of live) managed.kill();
  });
}

/** Spawns `command` in its own process group, collecting its output and tracking it for cleanup. */
export function spawnManaged(command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  installExitHook();
  const guard = setpriv();
  const [file, argv] =
    guard && options.deathSignal
      ? [guard, ["--pdeathsig", options.deathSignal, command, ...args]]
      : [command, args];
  // Own process group: Ctrl-C in a terminal reaches only the parent, which then stops children in order.
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const maxLines = options.maxLines ?? 5_000;
  const lines: string[] = [];
  let exitInfo: ExitInfo | undefined;

  for (const stream of ["stdout", "stderr"] as const) {
    createInterface({ input: child[stream] }).on("line", (line) => {
      lines.push(line);
      if (lines.length > maxLines) lines.shift();
      options.onLine?.(line, stream);
    });
  }

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("error", (error) => {
      lines.push(`cannot start ${command}: ${error.message}`);
      exitInfo ??= { code: 127, signal: null };
      resolve(exitInfo);
    });
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const managed: ManagedProcess = {
    pid: child.pid ?? -1,
    child,
    exited,
    exitInfo: () => exitInfo,
    async stop(signal = "SIGTERM", timeoutMs = 30_000) {
      if (!exitInfo) {
        child.kill(signal);
        const timer = setTimeout(() => {
          managed.kill();
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return exitCode(await exited);
    },
    kill() {
      if (exitInfo || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    },
    logs: () => [...lines],
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** Exit code as a shell reports it: the code, or 128 + signal number. */
export function exitCode(info: ExitInfo): number {
  if (info.code !== null) return info.code;
  return 128 + (info.signal ? constants.signals[info.signal] : 0);
}

/** Error for a child that exited while we waited for it, quoting its last output lines. */
export function exitedError(name: string, managed: ManagedProcess): Error | undefined {
  const info = managed.exitInfo();
  if (!info) return undefined;
  const tail = managed.logs().slice(-20).join("\n");
  return new Error(
    `${name} exited early (code ${String(info.code)}, signal ${String(info.signal)}):\n${tail}`,
  );
}
