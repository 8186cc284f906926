import { READINESS_PATH } from "@platform/contract";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A Service behind the Gateway. */
export interface GatewayBackend {
  service: pulumi.Input<string>;
  port: number;
  /** Path prefixes routed to it (the catalogue's `routes`); the longest matching prefix wins. */
  pathPrefixes: readonly string[];
  /**
   * The per-endpoint rate the Service's `networking.gke.io/max-rate-per-endpoint` annotation carries. The
   * GCPBackendPolicy states the same value: its CRD says an omitted maxRatePerEndpoint means 1e8, which would
   * override the annotation and leave gclb-capacity-fullness near zero (the HPA would never scale on traffic).
   */
  maxRatePerEndpoint?: number;
}

const longestPrefix = (b: GatewayBackend) => Math.max(...b.pathPrefixes.map((p) => p.length));

/** How the HTTPS listener gets its certificate. */
export type GatewayTls =
  /** A Certificate Manager map (GKE): the `networking.gke.io/certmap` annotation. */
  | { certificateMap: string }
  /** A PEM certificate and key: a kubernetes.io/tls Secret the listener references. */
  | { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };

/** GKE's policy objects for the Gateway's backends and listeners. */
export interface GkeGatewayPolicies {
  /** Compute SSL policy for the GCPGatewayPolicy; undefined = no GCPGatewayPolicy. */
  sslPolicyName?: string;
  /** Cloud Armor policy attached to both backends; undefined = none. */
  securityPolicyName?: string;
  /** Backend request timeout (seconds). */
  timeoutSec: number;
  /** How long the load balancer lets in-flight requests finish on a removed endpoint (seconds). */
  drainingTimeoutSec: number;
}

/** Arguments for {@link Gateway}. */
export interface GatewayArgs {
  namespace: pulumi.Input<string>;
  gatewayClassName: string;
  httpPort: number;
  httpsPort: number;
  /** Host name of the listeners and routes; undefined = any host (a local cluster reached by IP). */
  domain?: string;
  /** Port clients see in https:// URLs (the HTTP redirect targets it); undefined = 443. */
  publicHttpsPort?: number;
  tls: GatewayTls;
  /** Name of a pre-allocated address (GKE NamedAddress); undefined = the implementation picks one. */
  addressName?: string;
  /** Every service with routes, each with its path prefixes. */
  backends: readonly GatewayBackend[];
  /** undefined = no GKE policy objects (another Gateway implementation). */
  gkePolicies?: GkeGatewayPolicies;
}

/**
 * The HTTPS entry point in the cluster: the Gateway with an HTTPS listener and an HTTP listener that only
 * redirects, the routes, and (on GKE) the policy objects: health checks on /readyz, backend timeouts and
 * draining, optional Cloud Armor, the TLS policy. The address, certificate map and SSL/Cloud Armor policies
 * themselves belong to the cloud layer and are referenced by name.
 */
export class Gateway extends pulumi.ComponentResource {
  readonly gateway: k8s.apiextensions.CustomResource;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Gateway", name, {}, opts);
    if (args.httpPort === args.httpsPort)
      throw new pulumi.ResourceError("httpPort and httpsPort must differ", this);
    if (args.backends.length === 0)
      throw new pulumi.ResourceError("no service has routes: the Gateway would serve nothing", this);
    const child = { parent: this };
    const ns = args.namespace;
    const hostname = args.domain ? { hostname: args.domain } : {};
    const hostnames = args.domain ? { hostnames: [args.domain] } : {};
    const sameNamespace = { namespaces: { from: "Same" } };

    let httpsListener: Record<string, unknown>;
    let annotations: Record<string, string> = {};
    if ("certificateMap" in args.tls) {
      annotations = { "networking.gke.io/certmap": args.tls.certificateMap };
      httpsListener = { name: "https", protocol: "HTTPS", port: args.httpsPort, ...hostname };
    } else {
      const secret = new k8s.core.v1.Secret(
        `${name}-tls`,
        {
          metadata: { name: `${name}-tls`, namespace: ns },
          type: "kubernetes.io/tls",
          stringData: {
            "tls.crt": pulumi.secret(args.tls.certificate),
            "tls.key": pulumi.secret(args.tls.privateKey),
          },
        },
        child,
      );
      httpsListener = {
        name: "https",
        protocol: "HTTPS",
        port: args.httpsPort,
        ...hostname,
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secret.metadata.name }] },
      };
    }

    this.gateway = new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name, namespace: ns, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
        spec: {
          gatewayClassName: args.gatewayClassName,
          ...(args.addressName ? { addresses: [{ type: "NamedAddress", value: args.addressName }] } : {}),
          listeners: [
            { ...httpsListener, allowedRoutes: sameNamespace },
            {
              name: "http",
              protocol: "HTTP",
              port: args.httpPort,
              ...hostname,
              allowedRoutes: sameNamespace,
            },
          ],
        },
      },
      child,
    );
    const parent = (sectionName: string) => [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name, sectionName },
    ];
    const backend = (b: GatewayBackend) => [{ group: "", kind: "Service", name: b.service, port: b.port }];
    const prefix = (value: string) => [{ path: { type: "PathPrefix", value } }];

    new k8s.apiextensions.CustomResource(
      `${name}-api`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: `${name}-api`, namespace: ns },
        spec: {
          parentRefs: parent("https"),
          ...hostnames,
          // Longest prefix wins (Gateway API), so /v1/auth goes to its service although /v1 also matches.
          // Rules with longer prefixes first, for implementations that take the first match.
          rules: [...args.backends]
            .sort((x, y) => longestPrefix(y) - longestPrefix(x))
            .map((b) => ({
              matches: b.pathPrefixes.flatMap(prefix),
              backendRefs: backend(b),
            })),
        },
      },
      { ...child, dependsOn: [this.gateway] },
    );
    // Without a port the redirect goes to the scheme's well-known port (Gateway API spec): name it otherwise.
    const port =
      args.publicHttpsPort !== undefined && args.publicHttpsPort !== 443
        ? { port: args.publicHttpsPort }
        : {};
    new k8s.apiextensions.CustomResource(
      `${name}-https-redirect`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: `${name}-https-redirect`, namespace: ns },
        spec: {
          parentRefs: parent("http"),
          ...hostnames,
          rules: [
            {
              filters: [
                { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301, ...port } },
              ],
            },
          ],
        },
      },
      { ...child, dependsOn: [this.gateway] },
    );

    if (args.gkePolicies) this.gkePolicyObjects(name, ns, args, args.gkePolicies);
    this.registerOutputs({});
  }

  private gkePolicyObjects(
    name: string,
    ns: pulumi.Input<string>,
    args: GatewayArgs,
    p: GkeGatewayPolicies,
  ): void {
    const child = { parent: this };
    for (const b of args.backends) {
      const serviceRef = { group: "", kind: "Service", name: b.service };
      const id = pulumi.output(b.service);
      new k8s.apiextensions.CustomResource(
        `${name}-hc-${String(b.port)}`,
        {
          apiVersion: "networking.gke.io/v1",
          kind: "HealthCheckPolicy",
          metadata: { name: pulumi.interpolate`${id}-health`, namespace: ns },
          spec: {
            default: {
              checkIntervalSec: 5,
              timeoutSec: 3,
              healthyThreshold: 1,
              unhealthyThreshold: 2,
              logConfig: { enabled: false },
              config: { type: "HTTP", httpHealthCheck: { port: b.port, requestPath: READINESS_PATH } },
            },
            targetRef: serviceRef,
          },
        },
        child,
      );
      new k8s.apiextensions.CustomResource(
        `${name}-backend-${String(b.port)}`,
        {
          apiVersion: "networking.gke.io/v1",
          kind: "GCPBackendPolicy",
          metadata: { name: pulumi.interpolate`${id}-backend`, namespace: ns },
          spec: {
            default: {
              timeoutSec: p.timeoutSec,
              connectionDraining: { drainingTimeoutSec: p.drainingTimeoutSec },
              logging: { enabled: true, sampleRate: 100000 },
              ...(b.maxRatePerEndpoint === undefined ? {} : { maxRatePerEndpoint: b.maxRatePerEndpoint }),
              ...(p.securityPolicyName ? { securityPolicy: p.securityPolicyName } : {}),
            },
            targetRef: serviceRef,
          },
        },
        child,
      );
    }
    if (p.sslPolicyName) {
      new k8s.apiextensions.CustomResource(
        `${name}-policy`,
        {
          apiVersion: "networking.gke.io/v1",
          kind: "GCPGatewayPolicy",
          metadata: { name: `${name}-policy`, namespace: ns },
          spec: {
            default: { sslPolicy: p.sslPolicyName },
            targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name },
          },
        },
        child,
      );
    }
  }
}
