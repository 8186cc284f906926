import { fileURLToPath } from "node:url";
import path from "node:path";

/** Repository root, found from this file so tests work from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const repoPath = (...parts: string[]): string => path.join(repoRoot, ...parts);
