import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Google APIs the cloud layer calls, in the order a new project needs them: Resource Manager and IAM first
 * (project IAM bindings, service accounts), then everything else. Service Usage itself must already be on (it is
 * for every new project, and bootstrap uses it).
 */
export const REQUIRED_APIS = [
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "compute.googleapis.com",
  "container.googleapis.com",
  "cloudkms.googleapis.com",
  "artifactregistry.googleapis.com",
  "certificatemanager.googleapis.com",
  "dns.googleapis.com",
  "storage.googleapis.com",
  "monitoring.googleapis.com",
  "logging.googleapis.com",
] as const;

/** Arguments for {@link ProjectApis}. */
export interface ProjectApisArgs {
  project: string;
}

/**
 * Enables {@link REQUIRED_APIS} on the project. Destroying the stack leaves them on (`disableOnDestroy: false`):
 * turning an API off breaks whatever else in the project uses it, and Google's own guidance for the resource is
 * to disable only in configurations that manage the project itself.
 */
export class ProjectApis extends pulumi.ComponentResource {
  readonly services: gcp.projects.Service[];

  constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:ProjectApis", name, {}, opts);
    this.services = REQUIRED_APIS.map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.slice(0, service.indexOf("."))}`,
          { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
          { parent: this },
        ),
    );
    this.registerOutputs({});
  }
}
