// Usage: node dist/render/cli.js --stack <dev|prod>  (`pnpm --filter infra render -- --stack dev` builds first)
// Writes .rendered/<stack>/kubernetes.yaml and resources.json from a mocked run of the program.
import path from "node:path";
import { parseArgs } from "node:util";

import { renderStack } from "./render.js";

// `pnpm run render -- --stack dev` hands the separator through; drop it so the flag is parsed.
const args = process.argv.slice(2).filter((arg) => arg !== "--");
const { values } = parseArgs({ args, options: { stack: { type: "string" } } });
const stack = values.stack;
const write = (line: string) => process.stdout.write(`${line}\n`);
if (stack === undefined || !/^[a-z0-9-]+$/.test(stack)) {
  process.stderr.write("usage: pnpm --filter infra render -- --stack <dev|prod>\n");
  process.exit(2);
}
const infraDir = path.resolve(import.meta.dirname, "..", "..");
try {
  const out = await renderStack(infraDir, stack);
  write(
    `rendered ${String(out.count)} resources for stack "${stack}":\n  ${out.manifest}\n  ${out.resources}`,
  );
} catch (err) {
  process.stderr.write(
    `render of stack "${stack}" failed:\n${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
