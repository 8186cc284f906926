import { readFileSync } from "node:fs";

/**
 * The `version` field of a package.json, e.g. `packageVersion(new URL("../package.json", import.meta.url))` from a
 * service's src/ or dist/ (package.json ships with the deployed app). The default of SERVICE_VERSION.
 */
export function packageVersion(packageJson: URL): string {
  const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version?: unknown };
  if (typeof version !== "string" || version === "")
    throw new Error(`${packageJson.pathname} has no version`);
  return version;
}

/** The response header that names the running version on every response (docs/runtime-contract.md). */
export const VERSION_HEADER = "X-App-Version";
