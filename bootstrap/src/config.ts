/**
 * The bootstrap stack's configuration: the ONE place that reads `pulumi.Config`. Every key is declared in
 * Pulumi.yaml. Validation collects every problem and fails once, naming each key.
 */
import * as pulumi from "@pulumi/pulumi";

export interface BootstrapConfig {
  /** Project that holds the state bucket, KMS key, Workload Identity pool and deployer service account. */
  readonly project: string;
  /** Region of the state bucket and KMS key ring; also the region the infra stacks use. */
  readonly region: string;
  /** `owner/name` of the GitHub repository whose workflows may deploy. */
  readonly githubRepository: string;
  /** Projects the infra stacks deploy into (one per stack, e.g. dev and prod). */
  readonly targetProjects: readonly string[];
  /** Artifact Registry repository ID the infra program creates in each target project. */
  readonly registryRepositoryId: string;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Reads values through a narrow interface so tests can pass plain objects. */
export interface ConfigSource {
  get(key: string): string | undefined;
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
  let targetProjects: string[] = [project];
  const rawTargets = source.get("targetProjects");
  if (rawTargets !== undefined) {
    const parsed: unknown = JSON.parse(rawTargets);
    if (
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((p) => typeof p === "string" && PROJECT.test(p))
    ) {
      targetProjects = parsed as string[];
    } else {
      errors.push(`targetProjects: expected a non-empty JSON list of project IDs, got ${rawTargets}`);
    }
  }
  const config: BootstrapConfig = {
    project,
    region: source.get("region") ?? "europe-west1",
    githubRepository,
    targetProjects,
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
