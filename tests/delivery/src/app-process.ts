import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { parseListeningLine } from "@platform/devkit";

/** A started app: its process, the port it reported in its "listening" log line, and everything it logged. */
export interface StartedApp {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: string[];
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

interface StartOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

/**
 * Starts a service and waits for the contract's first log line after listening:
 * `{"message":"listening","port":<n>,...}` (PORT=0 lets the OS choose, so the line is the only way to learn it).
 */
export function startApp(options: StartOptions): Promise<StartedApp> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      resolve(code);
    }),
  );
  createInterface({ input: child.stderr }).on("line", (line) => logs.push(line));
  return new Promise<StartedApp>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no "listening" log line within ${options.timeoutMs} ms:\n${logs.join("\n")}`));
    }, options.timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before listening:\n${logs.join("\n")}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      logs.push(line);
      const port = parseListeningLine(line)?.port;
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({ child, port, logs, exited });
    });
  });
}

/** Polls a URL until it answers 200, returning the last status seen if it never does within the deadline. */
export async function waitForStatus200(url: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = response.status;
      await response.body?.cancel();
      if (last === 200) return last;
    } catch {
      // Not accepting connections yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}
