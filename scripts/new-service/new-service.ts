/**
 * `pnpm new-service <name>`: adds a service to the platform in one step, with the shape of the existing ones.
 *
 *   - apps/<name>/ from scripts/new-service/template (shared start-up, health, metrics, logging, OpenAPI, access
 *     tokens checked against the issuer's JWKS, a test that boots it against a real database);
 *   - its catalogue entry in packages/contract/src/services.json: the next free ports, its own database, the route
 *     prefix /v1/<name>, a verifier that calls the token issuer, CPU autoscaling;
 *   - `services.<name>.image: 0.1.0` in the committed platform stacks (the tag its first release pushes; deploys
 *     are skipped with a notice until that release exists), and its name un-ignored in .changeset/config.json.
 *
 * Then: `pnpm install`, a changeset naming it (`pnpm changeset`), commit, push. docs/services.md says more.
 *
 *   node scripts/new-service/new-service.ts <name> [--route /v1/things] [--root <repository>]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

interface Entry {
  name: string;
  package: string;
  port: number;
  metricsPort: number;
  database: string;
  routes: string[];
  tokens: string;
  calls: string[];
  autoscaling: string;
  smokeTest: boolean;
  smokePath: string;
  resources: Record<string, string>;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { route: { type: "string" }, root: { type: "string" } },
});
const fail = (message: string): never => {
  process.stderr.write(`new-service: ${message}\n`);
  process.exit(1);
};
const [name] = positionals;
if (name === undefined || positionals.length !== 1)
  fail("usage: pnpm new-service <name> [--route /v1/things]");
const service = name as string;
if (!/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/.test(service))
  fail(`"${service}" is not a DNS label (lower-case letters, digits and '-', at most 40 characters)`);

const root = path.resolve(values.root ?? path.join(import.meta.dirname, "../.."));
// The stack files are edited by the delivery scripts' set-images.mjs, which needs the infra workspace package's
// yaml: the workspace must be installed, checked before anything is written.
try {
  createRequire(path.join(root, "infra/package.json")).resolve("yaml");
} catch {
  fail("the workspace is not installed: run `pnpm install` first");
}
const cataloguePath = path.join(root, "packages/contract/src/services.json");
const catalogue = JSON.parse(readFileSync(cataloguePath, "utf8")) as { $comment?: string; services: Entry[] };
const dir = path.join(root, "apps", service);
if (catalogue.services.some((s) => s.name === service)) fail(`${service} is already in the catalogue`);
if (existsSync(dir)) fail(`apps/${service} already exists`);
const route = values.route ?? `/v1/${service}`;
if (!/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/.test(route))
  fail(`--route ${route} is not a path prefix such as /v1/things`);
if (catalogue.services.some((s) => s.routes.includes(route))) fail(`the route ${route} is taken`);
const issuer = catalogue.services.find((s) => s.tokens === "issuer");

// The next free ports above every port in use (API ports and metrics ports are separate series).
const port = Math.max(...catalogue.services.map((s) => s.port)) + 1;
const metricsPort = Math.max(...catalogue.services.map((s) => s.metricsPort)) + 1;
const entry: Entry = {
  name: service,
  package: `apps/${service}`,
  port,
  metricsPort,
  database: service.replaceAll("-", "_"),
  routes: [route],
  tokens: issuer ? "verifier" : "none",
  calls: issuer ? [issuer.name] : [],
  autoscaling: "cpu",
  smokeTest: true,
  smokePath: `${route}/about`,
  resources: { cpuRequest: "250m", cpuLimit: "1", memoryRequest: "256Mi", memoryLimit: "512Mi" },
};

// 1. The package, from the template.
const template = path.join(import.meta.dirname, "template");
const substitutions: Record<string, string> = {
  __SERVICE__: service,
  __ROUTE__: route,
  __PORT__: String(port),
  __METRICS_PORT__: String(metricsPort),
  __DATABASE__: entry.database,
};
const copy = (from: string, to: string) => {
  for (const item of readdirSync(from)) {
    const source = path.join(from, item);
    if (statSync(source).isDirectory()) {
      mkdirSync(path.join(to, item), { recursive: true });
      copy(source, path.join(to, item));
      continue;
    }
    let text = readFileSync(source, "utf8");
    for (const [placeholder, value] of Object.entries(substitutions))
      text = text.replaceAll(placeholder, value);
    writeFileSync(path.join(to, item.replace(/\.tmpl$/, "")), text);
  }
};
mkdirSync(dir, { recursive: true });
copy(template, dir);

// 2. The catalogue entry.
catalogue.services.push(entry);
writeFileSync(cataloguePath, `${JSON.stringify(catalogue, null, 2)}\n`);

// 3. Releases: changesets versions it.
const changesetPath = path.join(root, ".changeset/config.json");
const changeset = JSON.parse(readFileSync(changesetPath, "utf8")) as { ignore: string[] };
changeset.ignore.push(`!${service}`);
writeFileSync(changesetPath, `${JSON.stringify(changeset, null, 2)}\n`);

// 4. The committed platform stacks name the image its first release pushes, written the way deploys write images
// (.github/scripts/set-images.mjs: the yaml document model keeps the files' comments and other keys).
for (const stack of ["dev", "prod"]) {
  const file = path.join(root, `infra/platform/Pulumi.${stack}.yaml`);
  if (!existsSync(file)) continue;
  const set = spawnSync(
    "node",
    [path.join(root, ".github/scripts/set-images.mjs"), file, JSON.stringify({ [service]: "0.1.0" })],
    { encoding: "utf8" },
  );
  if (set.status !== 0) fail(`writing ${file} failed: ${set.stderr}`);
}

// The repository's formatting, so the first commit passes `prettier --check`.
const format = spawnSync(
  "pnpm",
  ["exec", "prettier", "--write", `apps/${service}`, cataloguePath, changesetPath, "infra/platform"],
  { cwd: root, encoding: "utf8" },
);
if (format.status !== 0) fail(`prettier failed: ${format.stderr}`);

process.stdout.write(
  `created apps/${service} (port ${port}, metrics ${metricsPort}, database ${entry.database}, route ${route})\n` +
    "next: pnpm install && pnpm generate (the local ingress routes it) && pnpm --filter " +
    `${service} test; add a changeset naming ${service} (pnpm changeset); commit and push\n`,
);
