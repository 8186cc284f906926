import { generateKeyPairSync, randomUUID } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, globSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startApp, waitForStatus200, type StartedApp } from "../src/app-process.js";
import { parseDockerfile } from "../src/dockerfile.js";
import { repoPath, repoRoot } from "../src/paths.js";
import { startRouter } from "../src/router.js";

// Set by the globalSetup in vitest.config.ts (@platform/devkit/vitest-mongo).
const mongodbUri = process.env.MONGODB_URI ?? "";
const work = mkdtempSync(path.join(tmpdir(), "image-recipe-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The image's ENTRYPOINT, with the distroless node path replaced by this machine's node. */
function entrypoint(): string[] {
  const instructions = parseDockerfile(readFileSync(repoPath("Dockerfile"), "utf8"));
  const argv = JSON.parse(instructions.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "[]") as string[];
  return [process.execPath, ...argv.slice(1)];
}

/** Production settings a Deployment would give each app (secrets generated here, never stored). */
function productionEnv(app: string, jwksUrl = "http://127.0.0.1:9/.well-known/jwks.json"): NodeJS.ProcessEnv {
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    MONGODB_URI: mongodbUri,
    MONGODB_DB: `delivery_${app.replace("-", "_")}_${randomUUID().slice(0, 8)}`,
    SHUTDOWN_DRAIN_DELAY_MS: "0",
    TRUST_PROXY: "loopback",
    JWT_ISSUER: "https://auth.delivery.test",
    JWT_AUDIENCE: "jobs-api",
  };
  return app === "app-b"
    ? { ...common, JWT_SIGNING_KEYS: JSON.stringify([{ kid: "delivery-1", privateKeyPem: pem }]) }
    : { ...common, JWKS_URL: jwksUrl };
}

/** Runs a command without blocking the event loop; resolves with its exit status and stderr. */
function runAsync(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on("close", (status) => {
      resolve({ status, stderr });
    }),
  );
}

/** Starts an app from the /app directory the recipe assembled, with the image's ENTRYPOINT. */
function startImage(app: string, env: NodeJS.ProcessEnv): Promise<StartedApp> {
  const [command, ...args] = entrypoint();
  return startApp({ command: command!, args, cwd: path.join(work, app, "image"), env, timeoutMs: 30_000 });
}

async function stop(app: StartedApp | undefined): Promise<void> {
  if (app === undefined) return;
  app.child.kill("SIGTERM");
  await app.exited;
}

describe.each(["app-a", "app-b"])("image recipe for %s, run outside a container", (app) => {
  const imageDir = path.join(work, app, "image");

  it("when the recipe runs, then prune, frozen install, build and production deploy all succeed", () => {
    const result = spawnSync("bash", [repoPath("tests/delivery/recipe.sh"), app, path.join(work, app)], {
      cwd: repoRoot,
      encoding: "utf8",
      // turbo lives in the workspace's node_modules/.bin, as it does in the image's tools stage on PATH.
      env: {
        ...process.env,
        PATH: `${repoPath("node_modules/.bin")}${path.delimiter}${String(process.env.PATH)}`,
      },
      timeout: 280_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(existsSync(path.join(imageDir, "dist/main.js"))).toBe(true);
  });

  it("when the image's /app is inspected, then it holds no dev dependencies and no link out of itself", () => {
    const store = globSync("node_modules/.pnpm/*", { cwd: imageDir }).map((p) => path.basename(p));
    expect(store.length).toBeGreaterThan(0);
    for (const devOnly of ["typescript@", "vitest@", "eslint@", "@platform+devkit@"]) {
      expect(store.filter((name) => name.startsWith(devOnly))).toEqual([]);
    }
    const links = globSync("node_modules/**", { cwd: imageDir }).filter((p) =>
      lstatSync(path.join(imageDir, p)).isSymbolicLink(),
    );
    for (const link of links) {
      const target = path.resolve(
        path.dirname(path.join(imageDir, link)),
        readlinkSync(path.join(imageDir, link)),
      );
      expect(target.startsWith(imageDir + path.sep), `${link} -> ${target}`).toBe(true);
    }
  });

  it("when started like the image starts it, then /readyz answers 200 and SIGTERM exits 0", async () => {
    const started = await startImage(app, productionEnv(app));
    try {
      const status = await waitForStatus200(`http://127.0.0.1:${started.port}/readyz`, 30_000);
      expect(status, started.logs.join("\n")).toBe(200);
    } finally {
      started.child.kill("SIGTERM");
    }
    expect(await started.exited, started.logs.join("\n")).toBe(0);
  });
});

describe("smoke test script against both images behind a router", () => {
  it("when the deploy smoke test runs against them, then every step passes", async () => {
    let auth: StartedApp | undefined;
    let jobs: StartedApp | undefined;
    try {
      auth = await startImage("app-b", productionEnv("app-b"));
      const jwks = `http://127.0.0.1:${auth.port}/.well-known/jwks.json`;
      jobs = await startImage("app-a", productionEnv("app-a", jwks));
      const routed = await startRouter(auth.port, jobs.port);
      try {
        // Asynchronous on purpose: the router runs in this process, so a blocking spawn would starve it.
        const result = await runAsync("bash", [repoPath(".github/scripts/smoke-test.sh"), routed.url], {
          ...process.env,
          SMOKE_ALLOW_HTTP: "1",
          SMOKE_WAIT_SECONDS: "20",
        });
        expect(result.status, `${result.stderr}\n${[...auth.logs, ...jobs.logs].slice(-40).join("\n")}`).toBe(
          0,
        );
        expect(result.stderr).toContain("smoke test passed");
      } finally {
        routed.server.close();
      }
    } finally {
      await stop(jobs);
      await stop(auth);
    }
  });
});
