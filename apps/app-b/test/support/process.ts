import { fileURLToPath } from "node:url";
import { parseListeningLine, spawnManaged, waitFor } from "@platform/devkit";
import type { ListeningLine, ManagedProcess } from "@platform/devkit";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface ServiceProcess {
  readonly process: ManagedProcess;
  /** Output lines so far, stdout and stderr interleaved. */
  lines(): string[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  /** Resolves with the first JSON log line whose message matches. */
  waitForMessage(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the ports of the "listening" line (the one parser all harnesses share). */
  waitForListening(timeoutMs?: number): Promise<ListeningLine>;
}

/** Runs `node dist/main.js` (what `pnpm start` runs) with only the given environment plus PATH. */
export function startServiceProcess(env: Record<string, string>): ServiceProcess {
  const child = spawnManaged(process.execPath, [MAIN], {
    env: { PATH: process.env["PATH"] ?? "", HOST: "127.0.0.1", PORT: "0", METRICS_PORT: "0", ...env },
    deathSignal: "SIGKILL",
  });
  const exited = child.exited.then(() => child.stop());
  const wait = <T>(what: string, find: (line: string) => T | undefined, timeoutMs = 15_000) =>
    waitFor(
      () =>
        child
          .logs()
          .map(find)
          .find((found) => found !== undefined),
      {
        timeoutMs,
        intervalMs: 50,
        description: what,
        abort: () =>
          child.exitInfo()
            ? new Error(`process exited before ${what}:\n${child.logs().join("\n")}`)
            : undefined,
      },
    );
  return {
    process: child,
    lines: () => child.logs(),
    exited,
    waitForMessage: (message, timeoutMs) =>
      wait(
        `"${message}"`,
        (line) => {
          if (!line.startsWith("{")) return undefined;
          const entry = JSON.parse(line) as Record<string, unknown>;
          return entry["message"] === message ? entry : undefined;
        },
        timeoutMs,
      ),
    waitForListening: (timeoutMs) => wait('"listening"', parseListeningLine, timeoutMs),
  };
}
