import { fileURLToPath } from "node:url";

/** The monorepo root, found from this file's place (packages/devkit/{src,dist}/repo.*). */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}
