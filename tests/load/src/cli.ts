#!/usr/bin/env node
/**
 * `node dist/cli.js --base-url https://127.0.0.1:30443 --ca-file ca.pem --requests 20000 --connections 16
 * --json out.json`: one bounded mixed-load run; progress on stderr, the result as JSON on stdout and in --json.
 */
import { writeFileSync } from "node:fs";
import { parseCliArgs, USAGE } from "./cli-args.js";
import type { CliOptions } from "./cli-args.js";
import { startMixedLoad } from "./load.js";
import type { Result } from "./result.js";

function progressLine(r: Result): string {
  const versions = Object.entries(r.versionsSeen)
    .map(([key, n]) => `${key}=${n}`)
    .join(" ");
  return `${(r.elapsedMs / 1000).toFixed(1)}s total=${r.total} failed=${r.failed} p99=${r.latencyMs.p99.toFixed(1)}ms ${versions}\n`;
}

async function main(cli: CliOptions): Promise<number> {
  let run: ReturnType<typeof startMixedLoad>;
  try {
    run = startMixedLoad(cli.load);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const progress = setInterval(
    () => process.stderr.write(progressLine(run.snapshot())),
    cli.progressSeconds * 1000,
  );
  const stop = () => void run.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const result = await run.done;
  clearInterval(progress);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (cli.jsonFile) writeFileSync(cli.jsonFile, json);
  process.stdout.write(json);
  process.stderr.write(progressLine(result));
  return result.failed === 0 ? 0 : 1;
}

let cli: CliOptions;
try {
  cli = parseCliArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
}
process.exitCode = await main(cli);
