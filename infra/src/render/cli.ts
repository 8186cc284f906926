// Usage: node dist/render/cli.js --stack <name>  (`pnpm --filter infra render -- --stack dev` builds first)
// Renders every layer with a Pulumi.<name>.yaml (cloud/, platform/) into .rendered/<name>/<layer>/ from a mocked
// run of the program. `--stack local.example` renders platform/Pulumi.local.example.yaml.
import path from "node:path";
import { parseArgs } from "node:util";

import { renderStack } from "./render.js";

// `pnpm run render -- --stack dev` hands the separator through; drop it so the flag is parsed.
const args = process.argv.slice(2).filter((arg) => arg !== "--");
const { values } = parseArgs({ args, options: { stack: { type: "string" } } });
const stack = values.stack;
const write = (line: string) => process.stdout.write(`${line}\n`);
if (stack === undefined || !/^[a-z0-9.-]+$/.test(stack)) {
  process.stderr.write("usage: pnpm --filter infra render -- --stack <dev|prod|local.example>\n");
  process.exit(2);
}
const infraDir = path.resolve(import.meta.dirname, "..", "..");
try {
  const out = await renderStack(infraDir, stack);
  write(`rendered ${String(out.count)} resources for stack "${stack}":\n  ${out.written.join("\n  ")}`);
} catch (err) {
  process.stderr.write(
    `render of stack "${stack}" failed:\n${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
