/**
 * The bootstrap stack's configuration: the ONE place that reads `pulumi.Config`. Every key is declared in
 * Pulumi.yaml. Validation collects every problem and fails once, naming each key.
 */
import * as pulumi from "@pulumi/pulumi";

/** One infra stack (the same name in infra/cloud and infra/platform) and where it deploys. */
export interface DeployTarget {
  /** Pulumi stack name, e.g. `dev`. */
  readonly stack: string;
  /** Google Cloud project the stack deploys into (one project per stack). */
  readonly project: string;
  /** GitHub environment whose jobs deploy this stack, e.g. `staging`; only its jobs on main get the deployer. */
  readonly environment: string;
  /**
   * True when the environment's deploys wait for a reviewer (GitHub's required reviewers). Pull requests cannot
   * preview such a stack: their identity may not read its state nor decrypt its secrets, which would otherwise be
   * open to any branch's unreviewed workflow code. Such a stack is previewed by its own deploy job.
   */
  readonly approval: boolean;
}

export interface BootstrapConfig {
  /** Project that holds the state bucket, KMS keys, Workload Identity pool and CI service accounts. */
  readonly project: string;
  /** Region of the state bucket and KMS key ring; also the region the infra stacks use. */
  readonly region: string;
  /** `owner/name` of the GitHub repository whose workflows may deploy (for names and messages only). */
  readonly githubRepository: string;
  /** GitHub's numeric, never reused ID of the repository: what the provider's attribute condition checks. */
  readonly githubRepositoryId: string;
  /** GitHub's numeric ID of the repository's owner (user or organisation). */
  readonly githubOwnerId: string;
  /**
   * The infra stacks in promotion order, each with its project and GitHub environment. The workflows read them
   * from the repository variable `DEPLOY_STACKS` (`deployStacks` in ci-foundation.ts), so this list is the one place stacks and
   * environments are named.
   */
  readonly stacks: readonly DeployTarget[];
  /** Artifact Registry repository ID that infra/cloud creates in each target project. */
  readonly registryRepositoryId: string;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const NUMERIC_ID = /^[1-9][0-9]{0,19}$/;
const STACK = /^[a-z][a-z0-9-]{0,14}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** Reads values through a narrow interface so tests can pass plain objects. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

function parseStacks(raw: string | undefined, project: string, errors: string[]): DeployTarget[] {
  const fallback = [{ stack: "dev", project, environment: "staging", approval: false }];
  if (raw === undefined) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every(
      (t: Partial<Record<keyof DeployTarget, unknown>>) =>
        typeof t.stack === "string" &&
        STACK.test(t.stack) &&
        typeof t.project === "string" &&
        PROJECT.test(t.project) &&
        typeof t.environment === "string" &&
        ENVIRONMENT.test(t.environment) &&
        (t.approval === undefined || typeof t.approval === "boolean"),
    );
  if (!valid) {
    errors.push(
      `stacks: expected a non-empty JSON list of {stack, project, environment, approval?}, got ${raw}`,
    );
    return fallback;
  }
  const targets = (parsed as (Omit<DeployTarget, "approval"> & { approval?: boolean })[]).map((t) => ({
    ...t,
    approval: t.approval ?? false,
  }));
  for (const key of ["stack", "environment"] as const) {
    if (new Set(targets.map((t) => t[key])).size !== targets.length)
      errors.push(`stacks: each ${key} must be unique`);
  }
  return targets;
}

/** Parses and validates the configuration; throws one error listing every bad key. */
export function parseConfig(source: ConfigSource, gcpProject: string | undefined): BootstrapConfig {
  const errors: string[] = [];
  const project = source.get("project") ?? gcpProject ?? "";
  if (!PROJECT.test(project)) errors.push(`project: expected a Google Cloud project ID, got "${project}"`);
  const githubRepository = source.get("githubRepository") ?? "";
  if (!REPOSITORY.test(githubRepository)) {
    errors.push(`githubRepository: expected owner/name of the GitHub repository, got "${githubRepository}"`);
  }
  const githubRepositoryId = source.get("githubRepositoryId") ?? "";
  if (!NUMERIC_ID.test(githubRepositoryId)) {
    errors.push(
      `githubRepositoryId: expected the repository's numeric ID (gh api repos/OWNER/REPO --jq .id), got "${githubRepositoryId}"`,
    );
  }
  const githubOwnerId = source.get("githubOwnerId") ?? "";
  if (!NUMERIC_ID.test(githubOwnerId)) {
    errors.push(
      `githubOwnerId: expected the owner's numeric ID (gh api repos/OWNER/REPO --jq .owner.id), got "${githubOwnerId}"`,
    );
  }
  const stacks = parseStacks(source.get("stacks"), project, errors);
  const config: BootstrapConfig = {
    project,
    region: source.get("region") ?? "europe-west1",
    githubRepository,
    githubRepositoryId,
    githubOwnerId,
    stacks,
    registryRepositoryId: source.get("registryRepositoryId") ?? "platform",
  };
  if (errors.length > 0)
    throw new pulumi.RunError(`Invalid bootstrap configuration:\n  ${errors.join("\n  ")}`);
  return config;
}

/** Reads the running stack's configuration. */
export function loadConfig(): BootstrapConfig {
  const config = new pulumi.Config();
  return parseConfig({ get: (key) => config.get(key) }, new pulumi.Config("gcp").get("project"));
}
