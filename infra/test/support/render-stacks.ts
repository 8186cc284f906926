/**
 * Vitest global setup: renders every stack into `.rendered/` from the TypeScript source the tests load, so the
 * manifest checks (kubernetes-validate, checkov, schemas) read what this exact code produces. Nothing is built:
 * `pnpm --filter infra render` (tsc, then dist/render/cli.js) is the way to render by hand.
 */
import { renderStack } from "../../src/render/render.js";
import { infraDir, PLATFORM_STACKS } from "./rendered.js";

export default async function renderEveryStack(): Promise<void> {
  for (const stack of PLATFORM_STACKS) await renderStack(infraDir, stack);
}
