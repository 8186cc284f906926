/** docs/runtime-contract.md's environment tables, generated from the runtime contract's variables. */
import { ISSUER_ENV, SERVICE_ENV, VERIFIER_ENV } from "@platform/contract";
import type { EnvVariable } from "@platform/contract";

const cell = (text: string) => text.replaceAll("|", "\\|");

function table(variables: Readonly<Record<string, EnvVariable>>): string {
  const rows = Object.entries(variables).map(
    ([name, v]) =>
      `| \`${name}\` | ${cell(v.default)}${v.production ? " _prod_" : ""} | ${cell(v.meaning)}${v.secret ? " (secret)" : ""} |`,
  );
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Markdown, unformatted (the generator runs prettier over the whole document). */
export function envTables(): string {
  return [
    "### Every service",
    table(SERVICE_ENV),
    '### The token issuer (`"tokens": "issuer"`)',
    table(ISSUER_ENV),
    '### Token verifiers (`"tokens": "verifier"`)',
    table(VERIFIER_ENV),
  ].join("\n\n");
}
