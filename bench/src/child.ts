/** Starts a baseline server as a child process and waits for its "listening" line. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseListeningLine } from "@platform/devkit";

export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

export async function startBaseline(kind: "node-http" | "express"): Promise<ChildServer> {
  const child = spawn(process.execPath, [join(HERE, "baseline-server.js"), kind], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${kind} baseline did not start within 10 s`));
    }, 10_000);
    child.once("exit", (code) => {
      reject(new Error(`${kind} baseline exited with ${code}`));
    });
    lines.on("line", (line) => {
      const listening = parseListeningLine(line);
      if (listening) {
        clearTimeout(timer);
        resolve(listening.port);
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
