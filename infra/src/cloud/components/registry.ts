import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Arguments for {@link Registry}. */
export interface RegistryArgs {
  project: string;
  region: string;
  /** Repository ID, also the last path segment of image names. */
  repositoryId: string;
  /** Service accounts (emails) allowed to pull, typically the GKE nodes'. */
  readers: pulumi.Input<string>[];
  /** How many most recent versions of each image survive the cleanup policy. */
  keepVersions?: number;
}

/**
 * Artifact Registry Docker repository for the services' images. Tags are immutable (deploys go by digest, and a
 * tag must never silently change underneath a rollback); a cleanup policy deletes untagged images after a week
 * and keeps the most recent versions of everything.
 */
export class Registry extends pulumi.ComponentResource {
  readonly repository: gcp.artifactregistry.Repository;
  /** `<region>-docker.pkg.dev/<project>/<repository>`: prefix for image names. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:Registry", name, {}, opts);
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(args.repositoryId)) {
      throw new pulumi.ResourceError(
        `repositoryId "${args.repositoryId}" must be lowercase letters, digits, -`,
        this,
      );
    }
    this.repository = new gcp.artifactregistry.Repository(
      name,
      {
        repositoryId: args.repositoryId,
        location: args.region,
        format: "DOCKER",
        description: "Container images of the platform's services",
        dockerConfig: { immutableTags: true },
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          {
            id: "delete-untagged",
            action: "DELETE",
            condition: { tagState: "UNTAGGED", olderThan: "604800s" },
          },
          { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: args.keepVersions ?? 30 } },
        ],
      },
      { parent: this },
    );
    args.readers.forEach((email, i) => {
      new gcp.artifactregistry.RepositoryIamMember(
        `${name}-reader-${i}`,
        {
          repository: this.repository.name,
          location: args.region,
          role: "roles/artifactregistry.reader",
          member: pulumi.interpolate`serviceAccount:${email}`,
        },
        { parent: this },
      );
    });
    this.url = pulumi.interpolate`${args.region}-docker.pkg.dev/${args.project}/${this.repository.repositoryId}`;
    this.registerOutputs({ url: this.url });
  }
}
