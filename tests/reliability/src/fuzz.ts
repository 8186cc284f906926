#!/usr/bin/env node
/**
 * The long Schemathesis run (`pnpm --filter reliability fuzz`, README): both services through one HTTPS base URL,
 * one after the other, each in two runs: examples, coverage and fuzzing with 1,000 examples per operation (values
 * not drawn from earlier responses, so a DELETE gets its 1,000 too), then the stateful phase alone for a time budget
 * (`--max-time` would cut the fuzzing phase short if shared).
 *
 * FUZZ_BASE_URL         the Gateway or ingress to test (default: start devkit's stack with its nginx ingress)
 * FUZZ_CA_FILE          PEM CA bundle to trust for FUZZ_BASE_URL (default: the system store; devkit: its own CA)
 * FUZZ_TOKEN            bearer token for every request (default: register and log in a fresh user before each service)
 * FUZZ_MAX_EXAMPLES     per operation and phase; stateful: scenarios per suite (1000)
 * FUZZ_STATEFUL_SECONDS stateful budget per service (240)
 * FUZZ_SEED (20251123), FUZZ_SERVICES (app-a,app-b), FUZZ_WORKERS (1)
 *
 * Writes results/fuzz-<time>.json and .md (git-ignored); Schemathesis's own reports stay in a temp directory.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeOpenApiDocuments } from "./openapi-documents.js";
import type { ServiceName } from "./openapi-documents.js";
import { FUZZ_APP_B_ENV, newUser, startPlatform } from "./platform.js";
import type { Platform } from "./platform.js";
import { summarizeEvents } from "./schemathesis-report.js";
import type { FuzzSummary, OperationCases } from "./schemathesis-report.js";
import { GATEWAY_PATHS, runSchemathesis } from "./schemathesis.js";
import type { SchemathesisOptions, SchemathesisRun } from "./schemathesis.js";

const env = process.env;
const maxExamples = Number(env.FUZZ_MAX_EXAMPLES ?? 1000);
const seed = Number(env.FUZZ_SEED ?? 20251123);
const workers = Number(env.FUZZ_WORKERS ?? 1);
const statefulSeconds = Number(env.FUZZ_STATEFUL_SECONDS ?? 240);
const services = (env.FUZZ_SERVICES ?? "app-a,app-b").split(",").map((s) => s.trim()) as ServiceName[];
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));

/** One service's two runs and their summary together. */
interface ServiceResult {
  readonly fuzzing: SchemathesisRun;
  readonly stateful: SchemathesisRun;
  readonly summary: FuzzSummary;
}

interface Target {
  readonly baseUrl: string;
  readonly caFile: string | undefined;
  readonly platform?: Platform;
}

async function target(): Promise<Target> {
  if (env.FUZZ_BASE_URL) return { baseUrl: env.FUZZ_BASE_URL.replace(/\/$/, ""), caFile: env.FUZZ_CA_FILE };
  process.stderr.write("FUZZ_BASE_URL not set: starting devkit's stack behind its nginx ingress\n");
  // Tokens outlive the whole run, so no request fails for an expired one.
  const platform = await startPlatform({
    ingress: true,
    appBEnv: { ...FUZZ_APP_B_ENV, ACCESS_TOKEN_TTL_SECONDS: "14400" },
  });
  const { ingress } = platform;
  if (ingress === undefined) throw new Error("devkit started no ingress");
  return { baseUrl: ingress.httpsUrl, caFile: ingress.caFile, platform };
}

/** "METHOD /path" of every operation a document describes. */
function documentedOperations(file: string): Set<string> {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { paths: Record<string, Record<string, unknown>> };
  return new Set(
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
}

const PHASES = ["examples", "coverage", "fuzzing", "stateful"];

function row(label: string, ops: OperationCases[]): string {
  const sum = (pick: (op: OperationCases) => number) => ops.reduce((n, op) => n + pick(op), 0);
  const statuses: Record<string, number> = {};
  for (const op of ops)
    for (const [status, n] of Object.entries(op.byStatus)) statuses[status] = (statuses[status] ?? 0) + n;
  const linked2xx = sum((op) =>
    Object.entries(op.linked.byStatus).reduce((n, [status, c]) => n + (status.startsWith("2") ? c : 0), 0),
  );
  const cells = [
    label,
    sum((op) => op.cases),
    ...PHASES.map((phase) => sum((op) => op.byPhase[phase]?.cases ?? 0)),
    `${sum((op) => op.linked.cases)} (${linked2xx})`,
    Object.entries(statuses)
      .map(([status, n]) => `${status}: ${n}`)
      .join(", "),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** The run as Markdown: per service, cases per operation and phase, statuses, and every finding. */
function summaryTable(
  settings: {
    baseUrl: string;
    maxExamples: number;
    seed: number;
    statefulSeconds: number;
    startedAt: string;
  },
  results: Partial<Record<ServiceName, ServiceResult>>,
  documents: Record<ServiceName, string>,
): string {
  const lines = [
    `# Schemathesis run ${settings.startedAt}`,
    "",
    `${settings.baseUrl}, --max-examples ${settings.maxExamples}, --seed ${settings.seed}; ` +
      `stateful alone for ${settings.statefulSeconds} s`,
  ];
  const seconds = (run: SchemathesisRun) => `${(run.durationMs / 1000).toFixed(0)} s`;
  for (const [service, result] of Object.entries(results) as [ServiceName, ServiceResult][]) {
    const { fuzzing, stateful, summary } = result;
    const documented = documentedOperations(documents[service]);
    const entries = Object.entries(summary.operations);
    const other = entries.filter(([label]) => !documented.has(label)).map(([, op]) => op);
    lines.push(
      "",
      `## ${service}: fuzzing ${seconds(fuzzing)} (exit ${fuzzing.exitCode}), stateful ${seconds(stateful)} ` +
        `(exit ${stateful.exitCode}); ${summary.findings.length} findings, ${summary.errors.length} errors`,
      "",
      `| operation | cases | ${PHASES.join(" | ")} | linked (2xx) | statuses |`,
      `|---|---|${PHASES.map(() => "---|").join("")}---|---|`,
      ...entries.filter(([label]) => documented.has(label)).map(([label, op]) => row(label, [op])),
      ...(other.length > 0 ? [row("undocumented methods", other)] : []),
      ...summary.findings.map(
        (f) => `- ${f.operation} (${f.phase}, ${f.count}x): ${f.check}: ${f.title}: ${f.message}`,
      ),
      ...summary.errors.map((error) => `- error: ${error}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const { baseUrl, caFile, platform } = await target();
  const stop = () => void platform?.stop().finally(() => process.exit(130));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const documents = await writeOpenApiDocuments(mkdtempSync(join(tmpdir(), "openapi-")));
    const results: Partial<Record<ServiceName, ServiceResult>> = {};
    const ca = caFile === undefined ? undefined : readFileSync(caFile, "utf8");
    const run = async (options: Omit<SchemathesisOptions, "baseUrl">, token: string) => {
      return runSchemathesis({
        ...options,
        baseUrl,
        caFile,
        headers: { Authorization: `Bearer ${token}` },
        includePathRegex: GATEWAY_PATHS,
        maxExamples,
        seed,
        workers,
        onOutput: (text) => process.stderr.write(text),
      });
    };
    for (const service of services) {
      const schema = documents[service];
      process.stderr.write(`\n== ${service}: ${maxExamples} examples per operation, seed ${seed}\n`);
      // One token per service, taken before its runs: fuzzing app-b's login fails many logins from this one
      // address, and a service that throttles them (the cluster's app-b does) would refuse a login after that.
      // The service's two runs fit in an access token's lifetime (15 min by default).
      const token = env.FUZZ_TOKEN ?? (await newUser(baseUrl, ca)).accessToken;
      // Every operation gets its examples; real resources are the stateful run's part.
      const fuzzing = await run(
        { schema, phases: ["examples", "coverage", "fuzzing"], fuzzFromResponses: false },
        token,
      );
      process.stderr.write(`\n== ${service}: stateful for ${statefulSeconds} s\n`);
      const stateful = await run({ schema, phases: ["stateful"], maxTimeSeconds: statefulSeconds }, token);
      const summary = await summarizeEvents(fuzzing.eventsFile, stateful.eventsFile);
      results[service] = { fuzzing, stateful, summary };
    }
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    const settings = {
      ...{ baseUrl, caFile, maxExamples, seed, workers, statefulSeconds },
      startedAt: startedAt.toISOString(),
    };
    mkdirSync(resultsDir, { recursive: true });
    const json = join(resultsDir, `fuzz-${stamp}.json`);
    const markdown = join(resultsDir, `fuzz-${stamp}.md`);
    writeFileSync(json, `${JSON.stringify({ ...settings, results }, null, 2)}\n`);
    const table = summaryTable(settings, results, documents);
    writeFileSync(markdown, table);
    process.stdout.write(`${table}\nwritten: ${json}\n         ${markdown}\n`);
    const clean = Object.values(results).every(
      (r) => r.fuzzing.exitCode === 0 && r.stateful.exitCode === 0 && r.summary.findings.length === 0,
    );
    return clean ? 0 : 1;
  } finally {
    await platform?.stop();
  }
}

process.exitCode = await main();
