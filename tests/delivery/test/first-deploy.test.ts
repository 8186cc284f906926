import { spawnSync } from "node:child_process";
import {
  accessSync,
  chmodSync,
  constants,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { repoPath, repoRoot } from "../src/paths.js";

const RECIPE = "docs/first-deploy.md";
const recipe = readFileSync(repoPath(RECIPE), "utf8");
const shBlocks = (text: string) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Section `n` of the recipe ("## n. ..." up to the next "## "). */
function section(n: number): string {
  const start = recipe.indexOf(`\n## ${String(n)}. `);
  expect(start, `section ${String(n)}`).toBeGreaterThan(0);
  const end = recipe.indexOf("\n## ", start + 1);
  return recipe.slice(start, end < 0 ? undefined : end);
}
const services = (
  JSON.parse(readFileSync(repoPath("packages/contract/src/services.json"), "utf8")) as {
    services: { name: string }[];
  }
).services.map((s) => s.name);

/**
 * The steps of a first deploy, each recognised in a Markdown file. The recipe holds all of them, in this order.
 * Any other Markdown file holding two or more of the steps only a first deploy has (not the layers' `pulumi up`,
 * which infra/README.md documents as reference: each layer alone, up.sh) carries a second first-deploy sequence.
 */
const STEPS: [string, (md: string) => number, "first deploy only"?][] = [
  [
    "bootstrap's pulumi up",
    (md) => {
      const block = shBlocks(md).find(
        (b) => /\bbootstrap\b/.test(b) && /\b(?:bootstrap_)?pulumi\b[^\n]* up\b/.test(b),
      );
      return block === undefined ? -1 : md.indexOf(block);
    },
    "first deploy only",
  ],
  [
    "infra stacks created with a KMS key",
    (md) => md.search(/stack init [^\n]*--secrets-provider/),
    "first deploy only",
  ],
  [
    "the cloud layer's pulumi up",
    (md) => md.search(/(?:-C|--cwd) infra\/cloud up\b|cd infra\/cloud && pulumi up/),
  ],
  [
    "the DNS record",
    (md) => md.search(/\bA record\b[^\n]*`gatewayIp`|`A [^`]*-> ?<gatewayIp>`/),
    "first deploy only",
  ],
  [
    "the first images",
    (md) => md.search(/docker (?:buildx )?build [^\n]*--build-arg APP=/),
    "first deploy only",
  ],
  [
    "the platform layer's pulumi up",
    (md) => md.search(/(?:-C|--cwd) infra\/platform up\b|cd infra\/platform && pulumi up/),
  ],
  ["the first push", (md) => md.search(/git push -u origin main/), "first deploy only"],
];

/** Runs a shell script with stand-ins for the named tools (bin/<name> files) first on PATH. */
function runWithFakes(
  script: string,
  fakes: Record<string, string>,
  cwd: string,
  env: Record<string, string>,
) {
  const bin = mkdtempSync(path.join(tmpdir(), "first-deploy-bin-"));
  for (const [name, body] of Object.entries(fakes)) {
    writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${body}`);
    chmodSync(path.join(bin, name), 0o755);
  }
  const log = path.join(bin, "calls.log");
  writeFileSync(log, "");
  const result = spawnSync("bash", ["-c", script], {
    cwd,
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, FAKE_LOG: log, ...env },
    encoding: "utf8",
  });
  return {
    status: result.status,
    output: result.stderr + result.stdout,
    calls: readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

const KMS =
  "gcpkms://projects/ci-bootstrap-1/locations/europe-west1/keyRings/pulumi/cryptoKeys/pulumi-secrets";

/**
 * The Pulumi CLI as the bootstrap section meets it: bootstrap's outputs exist only on its local backend (in the
 * bucket there is no stack `bootstrap`, exactly as for real); `stack init` writes the provider into the stack
 * file. Every call is logged with the backend and passphrase it saw.
 */
const FAKE_BOOTSTRAP_PULUMI = `
echo "\${PULUMI_BACKEND_URL:-}|\${PULUMI_CONFIG_PASSPHRASE-unset}|$*" >>"$FAKE_LOG"
dir=.
[ "$1" = -C ] && { dir=$2; shift 2; }
case "$1 $2" in
  "stack output")
    [[ \${PULUMI_BACKEND_URL:-} == file://* ]] || { echo "error: no stack named 'bootstrap' found" >&2; exit 255; }
    case $5 in
      repositoryVariables) echo '{"PULUMI_BACKEND_URL": "gs://ci-bootstrap-1-pulumi-state"}' ;;
      secretsProviders) echo '{"dev": "${KMS}-dev", "prod": "${KMS}-prod"}' ;;
      *) echo "fake pulumi: unexpected output $5" >&2; exit 2 ;;
    esac ;;
  "stack init")
    [ "$dir" = bootstrap ] || printf 'secretsprovider: %s\\n' "$5" >>"$dir/Pulumi.$3.yaml" ;;
  "config set" | "up ") ;;
  *) echo "fake pulumi: unexpected $*" >&2; exit 2 ;;
esac
`;

describe(RECIPE, () => {
  it("when it is read, then it holds every first-deploy step, in order", () => {
    let previous = -1;
    for (const [step, at] of STEPS) {
      const position = at(recipe);
      expect(position, step).toBeGreaterThan(previous);
      previous = position;
    }
  });

  it("when the other Markdown files are read, then none carries a first-deploy sequence of its own (they link to the recipe)", () => {
    const files = globSync("**/*.md", {
      cwd: repoRoot,
      exclude: (n) => n === "node_modules" || n === ".git",
    });
    expect(files).toContain(RECIPE);
    for (const file of files.filter((f) => f !== RECIPE)) {
      const md = readFileSync(repoPath(file), "utf8");
      const found = STEPS.filter(([, at, only]) => only && at(md) >= 0).map(([step]) => step);
      expect(found.length, `${file}: ${found.join(", ")}`).toBeLessThan(2);
    }
    for (const file of ["infra/README.md", "bootstrap/README.md", "docs/delivery.md", "README.md"])
      expect(readFileSync(repoPath(file), "utf8"), file).toMatch(
        /\]\((?:\.\.\/docs\/|docs\/)?first-deploy\.md\)/,
      );
  });

  it("when the domain is set up, then the recipe creates the A record to gatewayIp or names dnsZone, and waits for the certificate", () => {
    const dns = section(5);
    expect(dns).toMatch(/`A <domain> -> <gatewayIp>`/);
    expect(dns).toContain("`dnsZone`");
    expect(dns).toContain("pulumi -C infra/cloud stack output gatewayIp");
    expect(recipe).toMatch(/gcloud certificate-manager certificates list [^\n]*managed\.state/);
  });

  it("when it names tool versions, then they are the repository's own", () => {
    const prerequisites = section(1);
    const rootPackage = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
      packageManager: string;
    };
    const catalog = (
      parse(readFileSync(repoPath("pnpm-workspace.yaml"), "utf8")) as { catalog: Record<string, string> }
    ).catalog;
    expect(prerequisites).toContain(`| Node `);
    expect(prerequisites).toContain(`${readFileSync(repoPath(".nvmrc"), "utf8").trim()} (\`.nvmrc\`)`);
    expect(prerequisites).toContain(`${rootPackage.packageManager.replace("pnpm@", "")} (\`packageManager\``);
    expect(prerequisites).toContain(`${catalog["@pulumi/pulumi"]!} (\`@pulumi/pulumi\``);
    expect(prerequisites).toMatch(/Docker with buildx/);
  });

  it("when it runs a repository script or a pnpm/turbo script, then that script exists", () => {
    const scripts = [
      ...recipe.matchAll(/(?<![\w/.-])((?:\.github|infra|scripts|bootstrap|tests)\/[\w./-]*\.sh)\b/g),
    ].map((m) => m[1]!);
    expect(scripts).toEqual(
      expect.arrayContaining([".github/scripts/image-digest.sh", ".github/scripts/smoke-test.sh"]),
    );
    for (const script of new Set(scripts)) accessSync(repoPath(script), constants.X_OK);

    const packages = new Map(
      globSync("{apps,packages,tests}/*/package.json", { cwd: repoRoot })
        .concat(["infra/package.json", "bootstrap/package.json", "bench/package.json"])
        .map(
          (file) =>
            JSON.parse(readFileSync(repoPath(file), "utf8")) as {
              name: string;
              scripts?: Record<string, string>;
            },
        )
        .map((pkg) => [pkg.name, pkg.scripts ?? {}]),
    );
    const turboTasks = Object.keys(
      (JSON.parse(readFileSync(repoPath("turbo.json"), "utf8")) as { tasks: object }).tasks,
    );
    const builtins = new Set(["install", "exec", "add", "dlx"]);
    let named = 0;
    for (const block of shBlocks(recipe)) {
      for (const [, filter, script] of block.matchAll(
        /\bpnpm(?: --filter[= ](\S+))?(?: run)? ([a-z][\w:-]*)/g,
      )) {
        if (builtins.has(script!)) continue;
        named++;
        const pkg = filter?.replace(/\.\.\.$/, "");
        const available = pkg
          ? packages.get(pkg)
          : (
              JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
                scripts: Record<string, string>;
              }
            ).scripts;
        expect(available?.[script!], `pnpm ${filter ?? ""} ${script!}`).toBeDefined();
      }
      for (const [, task, filters] of block.matchAll(/\bturbo run (\S+)((?: --filter=\S+)+)/g)) {
        named++;
        expect(turboTasks, `turbo task ${task!}`).toContain(task);
        for (const [, pkg] of filters!.matchAll(/--filter=([^.\s]+)/g))
          expect(packages.get(pkg!)?.[task!], `${pkg!} ${task!}`).toBeDefined();
      }
    }
    expect(named).toBeGreaterThan(0);
  });

  it("when the stacks exist, then later steps select them: the only stack init is bootstrap's section, and no update is targeted", () => {
    const inits = shBlocks(recipe).filter((b) => /stack init/.test(b));
    expect(inits.every((b) => section(2).includes(b))).toBe(true);
    for (const n of [4, 7]) expect(section(n)).toMatch(/stack select "\$STACK"/);
    for (const block of shBlocks(recipe)) expect(block).not.toMatch(/--target/);
  });

  it("when bootstrap's section is run as written, then its outputs are read from its local backend after the switch, and every infra stack of both layers is created in the bucket with its own KMS key", () => {
    const root = mkdtempSync(path.join(tmpdir(), "first-deploy-"));
    for (const dir of ["bootstrap", "infra/cloud", "infra/platform"])
      mkdirSync(path.join(root, dir), { recursive: true });
    const run = runWithFakes(
      shBlocks(section(2)).join("\n"),
      { pulumi: FAKE_BOOTSTRAP_PULUMI, gh: 'echo "gh $*" >>"$FAKE_LOG"; echo 1234' },
      root,
      {
        HOME: root,
        REPO: "owner/repo",
        REGION: "europe-west1",
        CI_PROJECT: "ci-bootstrap-1",
        DEV_PROJECT: "dev-project-1",
        PROD_PROJECT: "prod-project-1",
        // A passphrase left in the environment must not be used by the infra stacks.
        PULUMI_CONFIG_PASSPHRASE: "left-over",
      },
    );
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toContain("ERROR");
    const bootstrapUp = run.calls.find((c) => c.endsWith("|-C bootstrap up"));
    expect(bootstrapUp).toBe(`file://${root}/.pulumi-bootstrap||-C bootstrap up`);
    expect(run.calls.filter((c) => c.includes("infra/") && c.includes("stack init")).sort()).toEqual(
      ["cloud", "platform"]
        .flatMap((layer) =>
          ["dev", "prod"].map(
            (stack) =>
              `gs://ci-bootstrap-1-pulumi-state|unset|-C infra/${layer} stack init ${stack} --secrets-provider ${KMS}-${stack}`,
          ),
        )
        .sort(),
    );
    expect(run.output).toContain(`infra/cloud/Pulumi.prod.yaml:secretsprovider: ${KMS}-prod`);
  });

  it("when the repository settings section is run as written, then it creates one environment per stack of bootstrap's DEPLOY_STACKS, with a reviewer only where the stack needs approval", () => {
    const define = /^bootstrap_pulumi\(\) \{.*\}$/m.exec(section(2))![0];
    const settings = (deployStacks: { stack: string; environment: string; approval: boolean }[]) => {
      const variables = JSON.stringify({ DEPLOY_STACKS: JSON.stringify(deployStacks) });
      const run = runWithFakes(
        [define, ...shBlocks(section(3)).slice(0, 1)].join("\n"),
        {
          pulumi: `case "$*" in
  *"stack output --stack bootstrap repositoryVariables --json") echo '${variables}' ;;
  *"stack output --stack bootstrap setRepositoryVariables") echo 'echo "gh variable set ..." >>"$FAKE_LOG"' ;;
  *) echo "fake pulumi: unexpected $*" >&2; exit 2 ;;
esac`,
          gh: `case "$*" in
  "api user --jq .id") echo 42 ;;
  *"--input -"*) echo "gh $* $(cat)" >>"$FAKE_LOG" ;;
  *) echo "gh $*" >>"$FAKE_LOG" ;;
esac`,
        },
        mkdtempSync(path.join(tmpdir(), "first-deploy-settings-")),
        { HOME: tmpdir(), REPO: "owner/repo" },
      );
      expect(run.status, run.output).toBe(0);
      return run.calls
        .filter((c) => c.startsWith("gh api -X PUT"))
        .map((c) => {
          const [, environment, body] = /environments\/(\S+) --input - (.*)$/.exec(c)!;
          return [environment, (JSON.parse(body!) as { reviewers: unknown[] }).reviewers];
        });
    };
    const dev = { stack: "dev", environment: "staging", approval: false };
    const prod = { stack: "prod", environment: "production", approval: true };
    expect(settings([dev])).toEqual([["staging", []]]);
    expect(settings([dev, prod])).toEqual([
      ["staging", []],
      ["production", [{ type: "User", id: 42 }]],
    ]);
  });

  it("when the image and platform sections are run as written, then every service of the catalogue is built for amd64, pushed, and set as services.<name>.image by digest before the platform's pulumi up", () => {
    const registry = "registry.example.test/dev-project-1/platform";
    const digest = `sha256:${"a".repeat(64)}`;
    const run = runWithFakes(
      [section(6), section(7)].flatMap(shBlocks).join("\n"),
      {
        pulumi: `echo "pulumi $*" >>"$FAKE_LOG"; case "$*" in *"stack output registryUrl"*) echo ${registry} ;; *"config get cloudStack"*) echo organization/gke-cloud/dev ;; esac`,
        gcloud: 'echo "gcloud $*" >>"$FAKE_LOG"',
        docker: `echo "docker $*" >>"$FAKE_LOG"; [ "$1 $2" != "buildx imagetools" ] || echo '{"digest": "${digest}"}'`,
      },
      repoRoot,
      { HOME: tmpdir(), STACK: "dev" },
    );
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toContain("ERROR");
    const tag = /:(first-[0-9a-f]{12}) \.$/.exec(
      run.calls.find((c) => c.startsWith("docker build")) ?? "",
    )?.[1];
    expect(tag).toBeDefined();
    const up = run.calls.indexOf("pulumi -C infra/platform up");
    expect(up).toBeGreaterThan(0);
    for (const service of services) {
      const image = `${registry}/${service}:${tag!}`;
      expect(run.calls).toContain(
        `docker build --platform linux/amd64 --build-arg APP=${service} --tag ${image} .`,
      );
      expect(run.calls).toContain(`docker push ${image}`);
      const set = run.calls.indexOf(
        `pulumi -C infra/platform config set --path services["${service}"].image ${registry}/${service}@${digest}`,
      );
      expect(set, service).toBeGreaterThan(run.calls.indexOf(`docker push ${image}`));
      expect(set, service).toBeLessThan(up);
    }
    expect(section(7)).toContain(
      `pulumi -C infra/platform config set --path 'services["app-a"].image' <registryUrl>/app-a@sha256:<digest>`,
    );
  });
});
