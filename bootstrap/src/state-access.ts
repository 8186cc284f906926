/**
 * IAM conditions on the Pulumi state bucket: which objects of Pulumi's self-managed (DIY) backend a principal may
 * reach. Google evaluates them in CEL against `resource.name`, `projects/_/buckets/<bucket>/objects/<path>` for an
 * object and `projects/_/buckets/<bucket>` for the bucket (listing). test/access.test.ts evaluates them against the
 * paths the real CLI uses.
 */

/** Pulumi projects whose stacks live in the state bucket (infra/cloud and infra/platform). */
export const PULUMI_PROJECTS = ["gke-cloud", "gke-platform"] as const;

/** The clauses every state condition starts with: listing the bucket and reading the backend's `meta.yaml`. */
function backendClauses(bucket: string): string[] {
  const root = `projects/_/buckets/${bucket}`;
  return [`resource.name == "${root}"`, `resource.name == "${root}/objects/.pulumi/meta.yaml"`];
}

/**
 * IAM condition on the state bucket limiting a principal to one stack's objects in Pulumi's project-scoped DIY
 * layout, plus reading `meta.yaml` and listing. The layout is the one the real CLI uses (recorded in
 * test/fixtures/state-paths.json): `.pulumi/{stacks,history,backups}/<project>/<stack>...`, and locks under
 * `.pulumi/locks/organization/<project>/<stack>/` (a DIY stack's fully qualified name has the fixed organization
 * `organization`, pkg/backend/diy/lock.go).
 */
export function stackStateCondition(bucket: string, stack: string): string {
  const state = `projects/_/buckets/${bucket}/objects/.pulumi`;
  const clauses = backendClauses(bucket);
  for (const project of PULUMI_PROJECTS) {
    clauses.push(`resource.name.startsWith("${state}/stacks/${project}/${stack}.json")`);
    for (const kind of ["history", "backups"]) {
      clauses.push(`resource.name.startsWith("${state}/${kind}/${project}/${stack}/")`);
    }
    clauses.push(`resource.name.startsWith("${state}/locks/organization/${project}/${stack}/")`);
  }
  return clauses.join(" || ");
}

/**
 * IAM condition limiting a principal to what `pulumi preview` reads of these stacks: their checkpoint (no history,
 * no backups; a preview takes no lock, as the real CLI's recorded accesses show), `meta.yaml`, and listing.
 */
export function stackPreviewCondition(bucket: string, stacks: readonly string[]): string {
  const state = `projects/_/buckets/${bucket}/objects/.pulumi`;
  const clauses = backendClauses(bucket);
  for (const stack of stacks) {
    for (const project of PULUMI_PROJECTS)
      clauses.push(`resource.name.startsWith("${state}/stacks/${project}/${stack}.json")`);
  }
  return clauses.join(" || ");
}

/**
 * IAM condition that excludes the state bucket and its objects. A stack may deploy into the bootstrap project (the
 * default layout), where its deployer's project-level storage role would otherwise reach every stack's state.
 */
export function notStateBucketCondition(bucket: string): string {
  const root = `projects/_/buckets/${bucket}`;
  return `resource.name != "${root}" && !resource.name.startsWith("${root}/")`;
}

/**
 * IAM condition that excludes the Pulumi secrets key ring and its keys (`keyRing`: its full resource name). The
 * deployer's project-level `roles/cloudkms.admin` exists for the cluster's own secrets-encryption key; in the
 * bootstrap project it would otherwise let one stack's deployer grant itself another stack's secrets key.
 */
export function notPulumiKeyRingCondition(keyRing: string): string {
  return `resource.name != "${keyRing}" && !resource.name.startsWith("${keyRing}/")`;
}
