/**
 * The one reader of the services' "listening" log line (docs/runtime-contract.md): the first JSON line a service
 * writes once both of its ports accept connections, `{"message":"listening","port":<n>,"metricsPort":<n>,...}`.
 * With PORT=0 the OS chooses the port, so this line is the only way to learn it. devkit, the benchmarks, the
 * delivery checks and the apps' process tests all parse it here.
 */

/** The `message` of the line (the runtime contract's). */
export { LISTENING_MESSAGE } from "@platform/contract";
import { LISTENING_MESSAGE } from "@platform/contract";

export interface ListeningLine {
  /** The API port. */
  readonly port: number;
  /** The metrics port; absent from the benchmark's baseline servers, which have none. */
  readonly metricsPort: number | undefined;
}

/** The ports a "listening" line reports, or undefined for any other line (including non-JSON output). */
export function parseListeningLine(line: string): ListeningLine | undefined {
  if (!line.startsWith("{")) return undefined;
  let entry: { message?: unknown; port?: unknown; metricsPort?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined;
  }
  if (entry.message !== LISTENING_MESSAGE || !isPort(entry.port)) return undefined;
  return { port: entry.port, metricsPort: isPort(entry.metricsPort) ? entry.metricsPort : undefined };
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 65_535;
}
