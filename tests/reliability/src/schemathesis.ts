/**
 * Schemathesis (`st`, installed by scripts/install-tools.sh) against one HTTPS base URL: devkit's ingress here, the
 * cluster's Gateway there. Builds the command line, runs it with its cache and reports outside the tree, and reads
 * the NDJSON event report back into cases per operation and findings.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "@platform/devkit";
import { summarizeEvents } from "./schemathesis-report.js";
import type { FuzzSummary } from "./schemathesis-report.js";

export type Phase = "examples" | "coverage" | "fuzzing" | "stateful";
export const ALL_PHASES: readonly Phase[] = ["examples", "coverage", "fuzzing", "stateful"];

/**
 * No 5xx, and every response conforms to the document (status, content type, documented headers, body schema);
 * in the stateful phase also: a created resource can be read, and a deleted one is gone.
 */
export const DEFAULT_CHECKS: readonly string[] = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
  "ensure_resource_availability",
  "use_after_free",
];

/** What the Gateway (and devkit's ingress) route: /v1 and /.well-known. /healthz and /readyz stay in the cluster. */
export const GATEWAY_PATHS = "^/(v1|\\.well-known)(/|$)";

export interface SchemathesisOptions {
  /** The OpenAPI document: a file (see writeOpenApiDocuments) or a URL. */
  readonly schema: string;
  /** Where the requests go, e.g. https://gateway.example:443 or devkit's `ingress.httpsUrl`. */
  readonly baseUrl: string;
  /** PEM bundle of the CA to trust for https (a private CA, devkit's self-signed ingress certificate). */
  readonly caFile?: string;
  /** Sent with every request, e.g. `{ Authorization: "Bearer ..." }` (masked in reports). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Test cases per operation and phase; stateful: scenarios per suite (default 100). An upper bound: Hypothesis
   * stops early when an operation's inputs run out or too many generated scenarios are rejected.
   */
  readonly maxExamples?: number;
  /**
   * `--max-time`: a time budget after which the run ends; until then fuzzing and stateful suites repeat with fresh
   * seeds. It also cuts the fuzzing phase short of `maxExamples`, so give it to stateful-only runs.
   */
  readonly maxTimeSeconds?: number;
  /**
   * Whether the fuzzing phase draws ids and other values from earlier responses (Schemathesis's "extra data
   * sources", default true). Real ids reach deeper, but a DELETE is then generated only for the ids known so far:
   * about 20 cases where 1,000 were asked for. The stateful phase chains real values through the links either way.
   */
  readonly fuzzFromResponses?: boolean;
  readonly seed?: number;
  readonly phases?: readonly Phase[];
  readonly checks?: readonly string[];
  /**
   * Default 1: the coverage phase parses lambdas with `ast`, and CPython 3.11 fails that across threads ("AST
   * constructor recursion depth mismatch").
   */
  readonly workers?: number;
  /** Only operations whose path matches, e.g. GATEWAY_PATHS. */
  readonly includePathRegex?: string;
  /** Reports and Schemathesis's cache; default a fresh directory under the OS temp dir, outside the tree. */
  readonly reportDir?: string;
  readonly requestTimeoutSeconds?: number;
  /** Kills the run after this long (SIGKILL); the result then has a non-zero exit code. */
  readonly timeoutMs?: number;
  /** Called with Schemathesis's output as it arrives. */
  readonly onOutput?: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface SchemathesisRun {
  /** 0 when Schemathesis found nothing and ran to the end. */
  readonly exitCode: number;
  readonly durationMs: number;
  readonly reportDir: string;
  /** The NDJSON event report the summary was read from. */
  readonly eventsFile: string;
  /** The last 100 lines of Schemathesis's output. */
  readonly output: string;
  readonly summary: FuzzSummary;
}

/** `st` on PATH or in $PLATFORM_TOOLS_DIR/bin (where scripts/install-tools.sh links it). */
export function findSchemathesis(env: NodeJS.ProcessEnv = process.env): string {
  const toolsDir =
    env.PLATFORM_TOOLS_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gke-platform");
  const bin = which("st", [join(toolsDir, "bin")], env);
  if (!bin) throw new Error("schemathesis (st) not found: run scripts/install-tools.sh");
  return bin;
}

/** Schemathesis settings that have no command-line flag, as its TOML config; undefined when none differ. */
export function schemathesisConfig(options: SchemathesisOptions): string | undefined {
  if (options.fuzzFromResponses !== false) return undefined;
  return "[phases.fuzzing.extra-data-sources]\nresponses = false\n";
}

/**
 * The `st` arguments for `options`, reporting NDJSON events to `eventsFile`; `configFile` is where
 * schemathesisConfig's text is, when there is any.
 */
export function schemathesisArgs(
  options: SchemathesisOptions,
  eventsFile: string,
  configFile?: string,
): string[] {
  const optional = (flag: string, value: string | number | undefined) =>
    value === undefined ? [] : [flag, String(value)];
  return [
    ...optional("--config-file", configFile),
    "run",
    options.schema,
    "--url",
    options.baseUrl,
    ...optional("--tls-verify", options.caFile),
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ["--header", `${name}: ${value}`]),
    "--checks",
    (options.checks ?? DEFAULT_CHECKS).join(","),
    "--phases",
    (options.phases ?? ALL_PHASES).join(","),
    "--max-examples",
    String(options.maxExamples ?? 100),
    ...optional("--seed", options.seed),
    ...optional("--max-time", options.maxTimeSeconds),
    "--workers",
    String(options.workers ?? 1),
    "--request-timeout",
    String(options.requestTimeoutSeconds ?? 10),
    ...optional("--include-path-regex", options.includePathRegex),
    // No examples database: a seeded run then depends on the seed alone, not on what earlier runs found.
    "--generation-database",
    "none",
    "--report",
    "ndjson",
    "--report-ndjson-path",
    eventsFile,
    "--no-color",
  ];
}

/** Runs Schemathesis once and summarises its event report. Rejects only when `st` cannot be started. */
export async function runSchemathesis(options: SchemathesisOptions): Promise<SchemathesisRun> {
  const env = options.env ?? process.env;
  const reportDir = options.reportDir ?? mkdtempSync(join(tmpdir(), "schemathesis-"));
  const eventsFile = join(reportDir, "events.ndjson");
  const config = schemathesisConfig(options);
  const configFile = config === undefined ? undefined : join(reportDir, "schemathesis.toml");
  if (configFile !== undefined) writeFileSync(configFile, config ?? "");
  const started = performance.now();
  const lines: string[] = [];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(findSchemathesis(env), schemathesisArgs(options, eventsFile, configFile), {
      // Schemathesis keeps a .schemathesis/ cache in its working directory: keep it with the reports.
      cwd: reportDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, NO_COLOR: "1", SCHEMATHESIS_TELEMETRY: "false" },
    });
    const collect = (data: Buffer) => {
      const text = data.toString();
      options.onOutput?.(text);
      lines.push(...text.split("\n"));
      lines.splice(0, Math.max(0, lines.length - 100));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
  return {
    exitCode,
    durationMs: Math.round(performance.now() - started),
    reportDir,
    eventsFile,
    output: lines.join("\n"),
    summary: await summarizeEvents(eventsFile),
  };
}
