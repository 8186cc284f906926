/**
 * Who may do what, evaluated from the IAM resources bootstrap registers (recorded under Pulumi's mocks): the
 * Workload Identity provider's attribute condition and mapping against a token's claims, and each binding's IAM
 * condition against the resource it would apply to, both with a real CEL evaluator (Google evaluates both in CEL).
 * Role contents are written out below for the roles bootstrap grants; a storage or KMS role missing from them
 * fails the evaluation instead of being silently ignored.
 */
import { isCelError, run } from "@bufbuild/cel";
import type { Recorded } from "./mocks.js";

/** What a principal does to Pulumi state in a bucket, as the CLI's accesses are recorded (fixtures/). */
export type StateAccess = "read" | "write" | "delete" | "list";

const ALL: readonly StateAccess[] = ["read", "write", "delete", "list"];
/** Object permissions of the storage roles (Google's predefined roles reference). */
const STORAGE_ROLES: Record<string, readonly StateAccess[]> = {
  "roles/storage.admin": ALL,
  "roles/storage.objectAdmin": ALL,
  "roles/storage.objectUser": ALL,
  "roles/storage.objectViewer": ["read", "list"],
  // storage.objects.create only: cannot replace an existing object (that needs delete), nor read or list.
  "roles/storage.objectCreator": [],
  // storage.buckets.get/list: bucket metadata, no object and no object listing.
  "roles/storage.bucketViewer": [],
};
const DECRYPT_ROLES = ["roles/cloudkms.cryptoKeyDecrypter", "roles/cloudkms.cryptoKeyEncrypterDecrypter"];

/** Evaluates a CEL expression to a boolean; an evaluation error is an error here, not a silent false. */
export function cel(expression: string, bindings: Record<string, Map<string, unknown>>): boolean {
  const result = run(expression, bindings as never);
  if (isCelError(result)) throw new Error(`${expression}: ${result.message}`);
  if (typeof result !== "boolean") throw new Error(`${expression} is a ${typeof result}, not a boolean`);
  return result;
}

/** Google's `resource` attribute of an IAM condition for a Cloud Storage bucket or object name. */
function storageResource(name: string): Map<string, unknown> {
  const type = name.includes("/objects/") ? "storage.googleapis.com/Object" : "storage.googleapis.com/Bucket";
  return new Map<string, unknown>([
    ["name", name],
    ["type", type],
    ["service", "storage.googleapis.com"],
  ]);
}

/** The IAM condition of a binding holds for this resource (no condition: always). */
function conditionHolds(binding: Recorded, resource: Map<string, unknown>): boolean {
  const condition = binding.inputs.condition as { expression?: string } | undefined;
  return condition?.expression === undefined || cel(condition.expression, { resource });
}

const rolesGrant = (role: string, access: StateAccess): boolean => {
  const granted = STORAGE_ROLES[role];
  if (granted === undefined) {
    if (role.startsWith("roles/storage."))
      throw new Error(`unknown storage role ${role}: add it to the model`);
    return false;
  }
  return granted.includes(access);
};

/** The IAM model of one bootstrap run. */
export function iamModel(recorded: readonly Recorded[], bucketProject: string) {
  const ofType = (type: string) => recorded.filter((r) => r.type === type);
  return {
    /**
     * Whether `member` may make this access to the bucket's object `path` (or list the bucket): bindings on the
     * bucket, and project bindings of the project that holds the bucket (they reach every bucket in it).
     */
    canAccessState(member: string, bucket: string, access: StateAccess, path: string): boolean {
      const root = `projects/_/buckets/${bucket}`;
      const resource = storageResource(access === "list" ? root : `${root}/objects/${path}`);
      const bindings = [
        ...ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((b) => b.inputs.bucket === bucket),
        ...ofType("gcp:projects/iAMMember:IAMMember").filter((b) => b.inputs.project === bucketProject),
      ];
      return bindings.some(
        (b) =>
          b.inputs.member === member &&
          rolesGrant(String(b.inputs.role), access) &&
          conditionHolds(b, resource),
      );
    },

    /**
     * Whether `member` may decrypt with the KMS key `keyId`: key bindings, and project-level KMS roles of the
     * key's project. `roles/cloudkms.admin` (the deployer's, for the cluster's secrets-encryption key in its target
     * project) cannot decrypt, but it may set a key's IAM policy and so grant itself decryption: it counts as able.
     */
    canDecrypt(member: string, keyId: string): boolean {
      const projectKms = ofType("gcp:projects/iAMMember:IAMMember").filter((b) =>
        String(b.inputs.role).startsWith("roles/cloudkms."),
      );
      for (const b of projectKms) {
        const role = String(b.inputs.role);
        if (
          role !== "roles/cloudkms.viewer" &&
          role !== "roles/cloudkms.admin" &&
          !DECRYPT_ROLES.includes(role)
        )
          throw new Error(`project-level KMS role ${role}: add it to the model`);
      }
      const viaProject = projectKms.some(
        (b) =>
          b.inputs.member === member &&
          keyId.startsWith(`projects/${String(b.inputs.project)}/`) &&
          String(b.inputs.role) !== "roles/cloudkms.viewer" &&
          conditionHolds(b, new Map([["name", keyId]])),
      );
      if (viaProject) return true;
      return ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").some(
        (b) =>
          b.inputs.member === member &&
          b.inputs.cryptoKeyId === keyId &&
          DECRYPT_ROLES.includes(String(b.inputs.role)) &&
          conditionHolds(b, new Map([["name", keyId]])),
      );
    },

    /**
     * The service accounts (emails) a GitHub Actions token with these claims may impersonate: the provider's
     * attribute condition must hold, the attribute mapping gives the principal's subject and attributes, and a
     * `roles/iam.workloadIdentityUser` binding must name that principal or a set it belongs to.
     */
    impersonatedBy(claims: Record<string, string>, poolName: string): string[] {
      const [provider] = ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      if (!provider) throw new Error("no Workload Identity provider");
      const assertion = new Map<string, unknown>(Object.entries(claims));
      const condition = String(provider.inputs.attributeCondition);
      let accepted: boolean;
      try {
        accepted = cel(condition, { assertion });
      } catch {
        accepted = false; // Google rejects a token whose condition fails to evaluate (a missing claim)
      }
      if (!accepted) return [];
      const principals = new Set([`principalSet://iam.googleapis.com/${poolName}/*`]);
      for (const [attribute, expression] of Object.entries(
        provider.inputs.attributeMapping as Record<string, string>,
      )) {
        const value = run(expression, { assertion } as never);
        // An attribute whose claim is missing is left unset (Google does the same); every mapped claim is a string.
        if (typeof value !== "string") continue;
        if (attribute === "google.subject")
          principals.add(`principal://iam.googleapis.com/${poolName}/subject/${value}`);
        else principals.add(`principalSet://iam.googleapis.com/${poolName}/${attribute}/${value}`);
      }
      return ofType("gcp:serviceaccount/iAMMember:IAMMember")
        .filter(
          (b) =>
            b.inputs.role === "roles/iam.workloadIdentityUser" && principals.has(String(b.inputs.member)),
        )
        .map((b) => String(b.inputs.serviceAccountId).split("/").pop()!)
        .sort();
    },
  };
}
