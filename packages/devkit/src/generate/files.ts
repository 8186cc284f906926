/**
 * The files `pnpm generate` keeps in step with the contract: where a file cannot import it (an nginx template,
 * Markdown), its generated regions are written from it. `generatedFiles` renders them in memory; the CLI writes
 * them, and devkit's test fails when a committed one differs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICES } from "@platform/contract";
import type { ServiceEntry } from "@platform/contract";
import { format, resolveConfig } from "prettier";
import { envTables } from "./env-tables.js";
import { nginxLocations, nginxUpstreams } from "./nginx-routes.js";
import { replaceRegion } from "./regions.js";

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  /** The file's content as it should be committed, given its current content. */
  render(current: string): Promise<string>;
}

/** nginx's routes from the catalogue: also what devkit's tests use to route a catalogue of their own. */
export function renderNginxTemplate(template: string, services: readonly ServiceEntry[]): string {
  const upstreams = replaceRegion(template, "upstreams", nginxUpstreams(services));
  return replaceRegion(upstreams, "routes", nginxLocations(services));
}

export function generatedFiles(root: string, services: readonly ServiceEntry[] = SERVICES): GeneratedFile[] {
  return [
    {
      path: "scripts/ingress/nginx.conf.template",
      render: (current) => Promise.resolve(renderNginxTemplate(current, services)),
    },
    {
      path: "docs/runtime-contract.md",
      // prettier aligns the tables exactly as `prettier --check` expects.
      render: async (current) => {
        const file = join(root, "docs/runtime-contract.md");
        const options = (await resolveConfig(file)) ?? {};
        return format(replaceRegion(current, "env-tables", `\n${envTables()}\n`), {
          ...options,
          filepath: file,
        });
      },
    },
  ];
}

/** The files whose committed content differs from what the contract generates. */
export async function staleFiles(root: string, services?: readonly ServiceEntry[]): Promise<string[]> {
  const stale: string[] = [];
  for (const file of generatedFiles(root, services)) {
    const current = readFileSync(join(root, file.path), "utf8");
    if ((await file.render(current)) !== current) stale.push(file.path);
  }
  return stale;
}
