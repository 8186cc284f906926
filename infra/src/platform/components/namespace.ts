import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Arguments for {@link PlatformNamespace}. */
export interface PlatformNamespaceArgs {
  /** Namespace name. */
  name: string;
  /** Refuse to delete or replace the namespace (and so everything in it) without a deliberate unprotect. */
  protect: boolean;
}

/**
 * A namespace of the platform (the services' one; the MongoDB operator's and replica set's own), with Pod Security
 * Admission labels, a default-deny NetworkPolicy (ingress and egress) and DNS egress to kube-dns. Every other allowed flow is
 * declared next to the workload it belongs to.
 */
export class PlatformNamespace extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  /** The namespace name, known once the Namespace exists (so dependants wait for it). */
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:PlatformNamespace", name, {}, opts);
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(args.name)) {
      throw new pulumi.ResourceError(`namespace "${args.name}" is not a DNS label`, this);
    }
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          // Every pod meets "restricted": in the services' namespace the services and the backup job by their own
          // spec; in MongoDB's the operator by its chart values, the members through the MongoDBCommunity
          // statefulSet override (components/mongodb.ts).
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      { parent: this, protect: args.protect },
    );
    this.name = this.namespace.metadata.name;

    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: { name: "default-deny", namespace: this.name },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      { parent: this },
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-dns-egress`,
      {
        metadata: { name: "allow-dns-egress", namespace: this.name },
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
              ],
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
          ],
        },
      },
      { parent: this },
    );
    this.registerOutputs({ name: this.name });
  }
}
