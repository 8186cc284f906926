// `pnpm dev`: the whole platform on this machine. turbo has built the packages and apps; this starts a database
// (MONGODB_URI when set, else mongod or FerretDB), app-b, app-a and, when nginx is installed, the HTTPS ingress
// routed like the GKE Gateway. Ctrl-C stops everything in order.
//
// Sources are recompiled on change (`tsc --watch` for shared, app-a, app-b) and the affected service restarted;
// `pnpm dev --no-watch` turns that off.
//
// Run by Node's type stripping: keep to erasable TypeScript (no enums, namespaces or parameter properties).
import { createRequire } from "node:module";
import { join } from "node:path";
import { findNginx, repoRoot, spawnManaged, startStack, type AppName, type Stack } from "@platform/devkit";

const HTTPS_PORT = Number(process.env.DEV_HTTPS_PORT ?? "8443");
const HTTP_PORT = Number(process.env.DEV_HTTP_PORT ?? "8080");
const colours: Record<string, string> = { "app-a#1": "\x1b[36m", "app-b#1": "\x1b[35m", nginx: "\x1b[33m" };
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
  console.log(`\n${signal}: stopping ingress, app-a, app-b and the database...`);
  await stack?.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  stack = await startStack({
    ports: { appA: 3000, appB: 3001, appAMetrics: 9464, appBMetrics: 9465 },
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

const [appA] = stack.appA;
const [appB] = stack.appB;
const ingress = stack.ingress;
const base = ingress ? ingress.httpsUrl : (appB?.url ?? "");
const jobsBase = ingress ? ingress.httpsUrl : (appA?.url ?? "");
const tls = ingress ? ` --cacert ${ingress.caFile}` : "";
const json = "-H 'content-type: application/json'";
const user = `'{"email":"dev@example.com","password":"correct-horse-battery-staple"}'`;

console.log(`
Platform running (Ctrl-C to stop)
  database    ${stack.mongo.uri} (${stack.mongo.kind})
  app-a       ${appA?.url ?? ""}  metrics ${appA?.metricsUrl ?? ""}/metrics
  app-b       ${appB?.url ?? ""}  metrics ${appB?.metricsUrl ?? ""}/metrics  JWKS ${appB?.url ?? ""}/.well-known/jwks.json
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
    { dir: join(root, "packages", "shared"), restarts: ["app-b", "app-a"] },
    { dir: join(root, "apps", "app-b"), restarts: ["app-b"] },
    { dir: join(root, "apps", "app-a"), restarts: ["app-a"] },
  ];
  const pending = new Set<AppName>();
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();

  const schedule = (apps: AppName[]) => {
    for (const app of apps) pending.add(app);
    clearTimeout(timer);
    // Several packages recompile after one edit in shared: collect them into one restart.
    timer = setTimeout(() => {
      const apps = (["app-b", "app-a"] as const).filter((app) => pending.has(app));
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
  console.log("Watching packages/shared, apps/app-a and apps/app-b for changes.");
}
