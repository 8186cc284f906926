// `pnpm dev`: the whole platform on this machine. turbo has built the packages and every app of the catalogue and
// regenerated the ingress's routes; this starts a database (MONGODB_URI when set, else mongod or FerretDB), every
// service of packages/contract/src/services.json on its catalogue ports, issuer first, and, when nginx is
// installed, the HTTPS ingress routed like the GKE Gateway. Ctrl-C stops everything in order.
//
// Sources are recompiled on change (`tsc --watch` for shared and every service) and the affected service
// restarted; `pnpm dev --no-watch` turns that off.
//
// Run by Node's type stripping: keep to erasable TypeScript (no enums, namespaces or parameter properties).
import { createRequire } from "node:module";
import { join } from "node:path";
import { JWKS_PATH, METRICS_PATH, SERVICES } from "@platform/contract";
import {
  findNginx,
  repoRoot,
  spawnManaged,
  startOrder,
  startStack,
  type AppName,
  type Stack,
} from "@platform/devkit";

const HTTPS_PORT = Number(process.env.DEV_HTTPS_PORT ?? "8443");
const HTTP_PORT = Number(process.env.DEV_HTTP_PORT ?? "8080");
const ORDER = startOrder(SERVICES);
const palette = ["\x1b[35m", "\x1b[36m", "\x1b[32m", "\x1b[34m", "\x1b[31m"];
const colours: Record<string, string> = {
  nginx: "\x1b[33m",
  ...Object.fromEntries(ORDER.map((s, i) => [`${s.name}#1`, palette[i % palette.length] ?? ""])),
};
const colour = process.stdout.isTTY ? (source: string) => colours[source] ?? "" : () => "";
const reset = process.stdout.isTTY ? "\x1b[0m" : "";

function printLine(source: string, line: string): void {
  console.log(`${colour(source)}[${source.replace("#1", "")}]${reset} ${line}`);
}

const nginx = findNginx();
let stack: Stack | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(
    `\n${signal}: stopping the ingress, ${ORDER.map((s) => s.name)
      .reverse()
      .join(", ")} and the database...`,
  );
  await stack?.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  stack = await startStack({
    services: ORDER,
    cataloguePorts: true,
    // Data survives restarts of `pnpm dev` (delete .local/ to start empty); ignored when MONGODB_URI is set.
    mongo: { dataDir: join(repoRoot(), ".local", "db") },
    ingress: nginx ? { httpsPort: HTTPS_PORT, httpPort: HTTP_PORT } : false,
    env: { NODE_ENV: "development", LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
    onLine: printLine,
  });
} catch (error) {
  console.error(`pnpm dev could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const running = stack;
const first = (name: string) => running.services[name]?.[0];
const ingress = stack.ingress;
const base = ingress ? ingress.httpsUrl : (first("app-b")?.url ?? "");
const jobsBase = ingress ? ingress.httpsUrl : (first("app-a")?.url ?? "");
const tls = ingress ? ` --cacert ${ingress.caFile}` : "";
const json = "-H 'content-type: application/json'";
const user = `'{"email":"dev@example.com","password":"correct-horse-battery-staple"}'`;

console.log(`
Platform running (Ctrl-C to stop)
  database    ${stack.mongo.uri} (${stack.mongo.kind})
${ORDER.map((s) => {
  const p = first(s.name);
  const jwks = s.tokens === "issuer" ? `  JWKS ${p?.url ?? ""}${JWKS_PATH}` : "";
  return `  ${s.name.padEnd(11)} ${p?.url ?? ""}  metrics ${p?.metricsUrl ?? ""}${METRICS_PATH}${jwks}  routes ${s.routes.join(" ") || "none"}`;
}).join("\n")}
  ${ingress ? `ingress     ${ingress.httpsUrl} (HTTP ${ingress.httpUrl} redirects)  CA ${ingress.caFile}` : "ingress     not started: nginx is not installed (apt-get install nginx-light, or set NGINX_BIN)"}

Try it:
  curl -s${tls} -X POST ${base}/v1/auth/register ${json} -d ${user}
  TOKEN=$(curl -s${tls} -X POST ${base}/v1/auth/login ${json} -d ${user} | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl -s${tls} -X POST ${jobsBase}/v1/jobs ${json} -H "authorization: Bearer $TOKEN" -d '{"title":"Platform engineer","company":"Acme","location":"Remote","description":"Run the GKE platform.","status":"open"}'
  curl -s${tls} ${jobsBase}/v1/jobs -H "authorization: Bearer $TOKEN"
`);

if (!process.argv.includes("--no-watch")) watchAndRestart(stack);

/** tsc --watch per package; after each successful recompile, restart the services that use it. */
function watchAndRestart(running: Stack): void {
  const root = repoRoot();
  const packages: { dir: string; restarts: AppName[] }[] = [
    { dir: join(root, "packages", "shared"), restarts: ORDER.map((s) => s.name) },
    ...ORDER.map((s) => ({ dir: join(root, s.package), restarts: [s.name] })),
  ];
  const pending = new Set<AppName>();
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();

  const schedule = (apps: AppName[]) => {
    for (const app of apps) pending.add(app);
    clearTimeout(timer);
    // Several packages recompile after one edit in shared: collect them into one restart.
    timer = setTimeout(() => {
      const apps = ORDER.map((s) => s.name).filter((app) => pending.has(app));
      pending.clear();
      restarting = restarting.then(async () => {
        for (const app of apps) {
          if (stopping) return;
          console.log(`[dev] sources changed: restarting ${app}`);
          await running.restartApp(app).catch((error: unknown) => {
            console.error(
              `[dev] ${app} did not restart: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
        }
      });
    }, 300);
  };

  for (const { dir, restarts } of packages) {
    const tsc = createRequire(join(dir, "package.json")).resolve("typescript/bin/tsc");
    let compiles = 0;
    spawnManaged(process.execPath, [tsc, "-p", "tsconfig.build.json", "--watch", "--preserveWatchOutput"], {
      cwd: dir,
      deathSignal: "SIGKILL",
      onLine: (line) => {
        if (/error TS\d+/.test(line)) console.log(`[tsc ${dir.slice(root.length + 1)}] ${line}`);
        const done = /Found (\d+) errors?\. Watching for file changes/.exec(line);
        if (!done) return;
        compiles += 1;
        // The first compile only re-emits what turbo just built.
        if (compiles > 1 && done[1] === "0") schedule(restarts);
      },
    });
  }
  console.log(`Watching ${packages.map((p) => p.dir.slice(root.length + 1)).join(", ")} for changes.`);
}
