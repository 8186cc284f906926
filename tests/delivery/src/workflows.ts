import { globSync, readFileSync } from "node:fs";
import { isScalar, parse, parseDocument, visit } from "yaml";
import { repoPath, repoRoot } from "./paths.js";

/** The parts of a GitHub Actions step that the invariants look at. */
export interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

/** The parts of a job that the invariants look at. A job with `uses` calls a reusable workflow. */
export interface Job {
  readonly "timeout-minutes"?: number;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: unknown;
  readonly environment?: unknown;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly outputs?: Record<string, string>;
  readonly strategy?: {
    matrix?: Record<string, unknown> | string;
    "max-parallel"?: number;
    "fail-fast"?: boolean;
  };
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  /** Secrets passed to a called workflow: by name, or `inherit`. */
  readonly secrets?: Record<string, string> | "inherit";
  readonly steps?: Step[];
}

export interface Workflow {
  readonly file: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: unknown;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export interface CompositeAction {
  readonly file: string;
  readonly runs: { using: string; steps: Step[] };
}

/** Every workflow under .github/workflows, parsed. */
export function loadWorkflows(): Workflow[] {
  return globSync(".github/workflows/*.{yml,yaml}", { cwd: repoRoot }).map((file) => ({
    file,
    ...(parse(readFileSync(repoPath(file), "utf8")) as Omit<Workflow, "file">),
  }));
}

/** Every local composite action under .github/actions. */
export function loadActions(): CompositeAction[] {
  return globSync(".github/actions/*/action.{yml,yaml}", { cwd: repoRoot }).map((file) => ({
    file,
    ...(parse(readFileSync(repoPath(file), "utf8")) as Omit<CompositeAction, "file">),
  }));
}

/** Every step of every workflow job and composite action, labelled with where it is. */
export function allSteps(): { where: string; step: Step }[] {
  const fromWorkflows = loadWorkflows().flatMap((wf) =>
    Object.entries(wf.jobs).flatMap(([id, job]) =>
      (job.steps ?? []).map((step) => ({ where: `${wf.file} ${id}`, step })),
    ),
  );
  const fromActions = loadActions().flatMap((action) =>
    action.runs.steps.map((step) => ({ where: action.file, step })),
  );
  return [...fromWorkflows, ...fromActions];
}

/** One `uses:` of a workflow job, step or composite action step, with the comment on its line. */
export interface ActionReference {
  readonly file: string;
  readonly uses: string;
  /** The text after `#` on the same line, trimmed; "" when there is none. */
  readonly comment: string;
}

/** Every `uses:` under .github (workflows and composite actions), read from the documents' syntax trees. */
export function actionReferences(): ActionReference[] {
  const files = globSync(".github/{workflows/*,actions/*/action}.{yml,yaml}", { cwd: repoRoot });
  return files.flatMap((file) => {
    const found: ActionReference[] = [];
    visit(parseDocument(readFileSync(repoPath(file), "utf8")), {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value))
          found.push({ file, uses: String(pair.value.value), comment: (pair.value.comment ?? "").trim() });
      },
    });
    return found;
  });
}
