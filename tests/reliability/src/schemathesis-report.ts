/**
 * Reads Schemathesis's NDJSON event report (`--report ndjson`): one JSON event per line; each finished scenario
 * carries its recorder with every case sent, the response and the result of every check. Streamed, because a long
 * run writes hundreds of megabytes.
 */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";

/** Requests sent and the statuses they got ("no response" for network errors and timeouts). */
export interface Cases {
  readonly cases: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

/** One operation's share of a run: all phases together, and per phase ("examples", ..., "stateful"). */
export interface OperationCases extends Cases {
  readonly byPhase: Readonly<Record<string, Cases>>;
  /** Stateful cases whose inputs came from an earlier response through an OpenAPI link. */
  readonly linked: Cases;
}

/** A check that failed: a 5xx, a response that does not match the document, a broken stateful expectation. */
export interface Finding {
  /** "METHOD /path/{template}". */
  readonly operation: string;
  readonly phase: string;
  readonly check: string;
  readonly title: string;
  readonly message: string;
  readonly status: number | undefined;
  /** How many failed cases share operation, check and title. */
  readonly count: number;
}

export interface FuzzSummary {
  /** Whether the engine reported its end (false: killed, crashed, or no report at all). */
  readonly complete: boolean;
  readonly operations: Readonly<Record<string, OperationCases>>;
  readonly findings: readonly Finding[];
  /** Errors Schemathesis reported besides failed checks (unreachable target, invalid schema, ...). */
  readonly errors: readonly string[];
}

/**
 * How often the stateful phase got `status` for `operation` ("POST /v1/jobs") with inputs an OpenAPI link took
 * from an earlier response: proof that the links chained real calls.
 */
export function linkedCases(summary: FuzzSummary, operation: string, status: string): number {
  return summary.operations[operation]?.linked.byStatus[status] ?? 0;
}

interface CheckEvent {
  readonly name: string;
  readonly status: string;
  readonly failure_info?: {
    readonly failure?: { readonly title?: string; readonly message?: string };
  } | null;
}

interface Recorder {
  readonly cases?: Record<
    string,
    {
      readonly value: { readonly method: string; readonly path: string };
      readonly is_transition_applied?: boolean;
    }
  >;
  readonly checks?: Record<string, CheckEvent[]>;
  readonly interactions?: Record<string, { readonly response?: { readonly status_code: number } | null }>;
}

type Event =
  | { readonly ScenarioFinished: { readonly phase: string; readonly recorder: Recorder } }
  | { readonly NonFatalError: { readonly label?: string; readonly value?: unknown } }
  | { readonly FatalError: { readonly exception?: unknown; readonly value?: unknown } }
  | { readonly EngineFinished: unknown };

type Counts = Record<string, number>;
interface MutableCases {
  cases: number;
  byStatus: Counts;
}
const count = (into: MutableCases, status: string) => {
  into.cases += 1;
  into.byStatus[status] = (into.byStatus[status] ?? 0) + 1;
};

/** Accumulates events into a summary; `summarizeEvents` feeds it files, tests feed it events. */
export class ReportSummary {
  private finished = 0;

  /** `runs`: how many Schemathesis runs the events come from; complete once each has reported its end. */
  constructor(private readonly runs = 1) {}

  private readonly operations = new Map<
    string,
    MutableCases & { byPhase: Record<string, MutableCases>; linked: MutableCases }
  >();
  private readonly findings = new Map<string, Finding>();
  private readonly errors: string[] = [];

  add(event: Event): void {
    if ("EngineFinished" in event) this.finished += 1;
    else if ("NonFatalError" in event)
      this.errors.push(`${event.NonFatalError.label ?? "?"}: ${brief(event.NonFatalError.value)}`);
    else if ("FatalError" in event) this.errors.push(`fatal: ${brief(event.FatalError)}`);
    else if ("ScenarioFinished" in event) this.addScenario(event.ScenarioFinished);
  }

  private addScenario({ phase, recorder }: { phase: string; recorder: Recorder }): void {
    for (const [id, { value, is_transition_applied: linked }] of Object.entries(recorder.cases ?? {})) {
      const operation = `${value.method} ${value.path}`;
      let counts = this.operations.get(operation);
      if (counts === undefined) {
        counts = { cases: 0, byStatus: {}, byPhase: {}, linked: { cases: 0, byStatus: {} } };
        this.operations.set(operation, counts);
      }
      const status = recorder.interactions?.[id]?.response?.status_code;
      const statusKey = status === undefined ? "no response" : String(status);
      count(counts, statusKey);
      count((counts.byPhase[phase] ??= { cases: 0, byStatus: {} }), statusKey);
      if (linked === true) count(counts.linked, statusKey);
      for (const check of recorder.checks?.[id] ?? []) {
        if (check.status !== "failure") continue;
        const title = check.failure_info?.failure?.title ?? check.name;
        const key = `${operation}\u0000${check.name}\u0000${title}`;
        const seen = this.findings.get(key);
        this.findings.set(key, {
          operation,
          phase,
          check: check.name,
          title,
          message: (check.failure_info?.failure?.message ?? "").slice(0, 500),
          status,
          ...seen,
          count: (seen?.count ?? 0) + 1,
        });
      }
    }
  }

  summary(): FuzzSummary {
    return {
      complete: this.finished >= this.runs,
      operations: Object.fromEntries([...this.operations].sort(([a], [b]) => a.localeCompare(b))),
      findings: [...this.findings.values()],
      errors: this.errors,
    };
  }
}

function brief(value: unknown): string {
  return JSON.stringify(value ?? null).slice(0, 300);
}

/**
 * One summary of the NDJSON event reports of one or more runs (e.g. a fuzzing and a stateful run of one service);
 * a missing file (Schemathesis never started) makes it incomplete.
 */
export async function summarizeEvents(...files: string[]): Promise<FuzzSummary> {
  const summary = new ReportSummary(files.length);
  for (const file of files.filter((f) => existsSync(f))) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) if (line.trim() !== "") summary.add(JSON.parse(line) as Event);
  }
  return summary.summary();
}
