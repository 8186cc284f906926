// Usage: node scripts/render.ts --stack <dev|prod>  (after `tsc -p tsconfig.build.json`)
// Writes .rendered/<stack>/kubernetes.yaml and resources.json from a mocked run of the program.
import path from "node:path";
import { parseArgs } from "node:util";

import { renderStack } from "../dist/render/render.js";

const { values } = parseArgs({ options: { stack: { type: "string" } }, allowPositionals: true });
const stack = values.stack;
if (stack === undefined || !/^[a-z0-9-]+$/.test(stack)) {
  console.error("usage: pnpm --filter infra render -- --stack <dev|prod>");
  process.exit(2);
}
const infraDir = path.resolve(import.meta.dirname, "..");
try {
  const out = await renderStack(infraDir, stack);
  console.log(`rendered ${String(out.count)} resources for stack "${stack}":\n  ${out.manifest}\n  ${out.resources}`);
} catch (err) {
  console.error(`render of stack "${stack}" failed:\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
