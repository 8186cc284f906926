/** The mixed-load CLI's flags, parsed and checked without side effects (so they can be tested). */
import { parseArgs } from "node:util";
import type { MixedLoadOptions } from "./load.js";
import { parseMix } from "./mix.js";

export const USAGE = `usage: node dist/cli.js --base-url URL [--ca-file FILE] (--requests N | --duration-seconds S)
  [--connections 16] [--rate R] [--users 4] [--jobs 20] [--mix get=40,list=10,...] [--seed N]
  [--timeout-ms 10000] [--json OUT.json] [--progress-seconds 5]
Exit code: 0 when no request failed, 1 when any did, 2 on bad usage. SIGTERM/SIGINT end the run early and still
write the result.`;

export interface CliOptions {
  readonly load: MixedLoadOptions;
  readonly jsonFile: string | undefined;
  readonly progressSeconds: number;
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    strict: true,
    options: {
      "base-url": { type: "string" },
      "ca-file": { type: "string" },
      requests: { type: "string" },
      "duration-seconds": { type: "string" },
      connections: { type: "string", default: "16" },
      rate: { type: "string" },
      users: { type: "string" },
      jobs: { type: "string" },
      mix: { type: "string" },
      seed: { type: "string" },
      "timeout-ms": { type: "string" },
      json: { type: "string" },
      "progress-seconds": { type: "string", default: "5" },
    },
  });
  const baseUrl = values["base-url"];
  if (!baseUrl) throw new Error("--base-url is required");
  const requests = positive("requests", values.requests);
  const durationSeconds = positive("duration-seconds", values["duration-seconds"]);
  if (requests === undefined && durationSeconds === undefined) {
    throw new Error("give --requests or --duration-seconds (or both): every run is bounded");
  }
  const count = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`--${name} must be a whole number, got ${text}`);
    return value;
  };
  const users = count("users", values.users);
  const jobs = count("jobs", values.jobs);
  const rate = positive("rate", values.rate);
  const timeoutMs = positive("timeout-ms", values["timeout-ms"]);
  const seed = count("seed", values.seed);
  const load: MixedLoadOptions = {
    baseUrl,
    connections: positive("connections", values.connections) ?? 16,
    ...(values["ca-file"] ? { caFile: values["ca-file"] } : {}),
    ...(requests === undefined ? {} : { requests }),
    ...(durationSeconds === undefined ? {} : { durationMs: durationSeconds * 1000 }),
    ...(rate === undefined ? {} : { ratePerSecond: rate }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(seed === undefined ? {} : { seed }),
    ...(values.mix ? { mix: parseMix(values.mix) } : {}),
    setup: { ...(users === undefined ? {} : { users }), ...(jobs === undefined ? {} : { jobs }) },
  };
  return {
    load,
    jsonFile: values.json,
    progressSeconds: positive("progress-seconds", values["progress-seconds"]) ?? 5,
  };
}
