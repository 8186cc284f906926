/**
 * What the cluster tests measured (request counts, failures, replica timelines), written to
 * tests/cluster/results/<name>.json for the docs and the closing notes; git-ignored, rewritten by every run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./cluster.js";

export const resultsDir = join(repoRoot, "tests/cluster/results");

export function recordResult(name: string, data: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ recordedAt: new Date().toISOString(), ...(data as object) }, null, 2)}\n`,
  );
  return file;
}
