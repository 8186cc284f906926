/**
 * `pnpm generate`: rewrites the generated regions of the files in files.ts from the contract.
 * `--check` writes nothing and exits 1 naming the stale files.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../repo.js";
import { generatedFiles, staleFiles } from "./files.js";

const root = repoRoot();
if (process.argv.includes("--check")) {
  const stale = await staleFiles(root);
  if (stale.length > 0) {
    process.stderr.write(`stale: run pnpm generate (${stale.join(", ")})\n`);
    process.exit(1);
  }
} else {
  for (const file of generatedFiles(root)) {
    const path = join(root, file.path);
    const current = readFileSync(path, "utf8");
    const next = await file.render(current);
    if (next !== current) writeFileSync(path, next);
    process.stdout.write(`${next === current ? "unchanged" : "wrote    "} ${file.path}\n`);
  }
}
