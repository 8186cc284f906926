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

export function startBaseline(kind: "node-http" | "express"): Promise<ChildServer> {
  return startChild(kind, [join(HERE, "baseline-server.js"), kind]);
}

/** The raw-driver read server (raw-driver-server.ts) on the given database, bare node:http or one Express route. */
export function startRawDriver(
  mongodbUri: string,
  mongodbDb: string,
  kind: "node-http" | "express" = "node-http",
): Promise<ChildServer> {
  return startChild(`raw-driver ${kind}`, [join(HERE, "raw-driver-server.js"), kind], {
    MONGODB_URI: mongodbUri,
    MONGODB_DB: mongodbDb,
  });
}

async function startChild(
  kind: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
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
