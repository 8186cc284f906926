import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** GatewayClass of GKE's global external Application Load Balancer (Envoy-based, Certificate Manager aware). */
export const GATEWAY_CLASS = "gke-l7-global-external-managed";

/** A Service behind the Gateway. */
export interface GatewayBackend {
  service: pulumi.Input<string>;
  port: number;
}

/** Arguments for {@link Gateway}. */
export interface GatewayArgs {
  namespace: pulumi.Input<string>;
  /** Public host name served over HTTPS. */
  domain: string;
  /** Cloud DNS managed zone serving `domain`: enables DNS authorisation and creates the records. */
  dnsZone?: string;
  /** `/v1/auth/*` and `/.well-known/*`. */
  auth: GatewayBackend;
  /** Everything else under `/v1/*`. */
  api: GatewayBackend;
  /** Per-client-IP request budget enforced by Cloud Armor; undefined = no Cloud Armor policy. */
  cloudArmorRequestsPerMinute?: number;
  /** Backend request timeout (seconds). */
  timeoutSec?: number;
  /** How long the load balancer lets in-flight requests finish on a removed endpoint (seconds). */
  drainingTimeoutSec?: number;
}

/**
 * The HTTPS entry point: a global static IP, a Google-managed certificate in a certificate map, the Gateway
 * with an HTTPS listener and an HTTP listener that only redirects, the routes, and GKE's policy resources
 * (health checks on /readyz, backend timeouts and draining, optional Cloud Armor, a modern TLS policy).
 */
export class Gateway extends pulumi.ComponentResource {
  readonly address: gcp.compute.GlobalAddress;
  readonly gateway: k8s.apiextensions.CustomResource;
  readonly url: string;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Gateway", name, {}, opts);
    if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(args.domain)) {
      throw new pulumi.ResourceError(`domain "${args.domain}" is not a DNS name`, this);
    }
    const child = { parent: this };
    this.url = `https://${args.domain}`;

    this.address = new gcp.compute.GlobalAddress(
      `${name}-ip`,
      { addressType: "EXTERNAL", ipVersion: "IPV4" },
      child,
    );

    const managed: gcp.types.input.certificatemanager.CertificateManaged = { domains: [args.domain] };
    if (args.dnsZone) {
      // DNS authorisation lets the certificate be issued before traffic points at the load balancer.
      const auth = new gcp.certificatemanager.DnsAuthorization(
        `${name}-dns-auth`,
        { domain: args.domain },
        child,
      );
      const record = auth.dnsResourceRecords.apply((records) => {
        const first = records[0];
        if (!first) throw new Error("Certificate Manager returned no DNS authorisation record");
        return first;
      });
      new gcp.dns.RecordSet(
        `${name}-dns-auth-record`,
        { managedZone: args.dnsZone, name: record.name, type: record.type, ttl: 300, rrdatas: [record.data] },
        child,
      );
      new gcp.dns.RecordSet(
        `${name}-a-record`,
        {
          managedZone: args.dnsZone,
          name: `${args.domain}.`,
          type: "A",
          ttl: 300,
          rrdatas: [this.address.address],
        },
        child,
      );
      managed.dnsAuthorizations = [auth.id];
    }
    const certificate = new gcp.certificatemanager.Certificate(
      `${name}-cert`,
      { scope: "DEFAULT", managed },
      child,
    );
    const certMap = new gcp.certificatemanager.CertificateMap(`${name}-certmap`, {}, child);
    new gcp.certificatemanager.CertificateMapEntry(
      `${name}-certmap-entry`,
      { map: certMap.name, certificates: [certificate.id], hostname: args.domain },
      child,
    );
    const sslPolicy = new gcp.compute.SSLPolicy(
      `${name}-tls`,
      { profile: "MODERN", minTlsVersion: "TLS_1_2" },
      child,
    );
    const armor =
      args.cloudArmorRequestsPerMinute === undefined
        ? undefined
        : new gcp.compute.SecurityPolicy(
            `${name}-armor`,
            {
              description: "Per-client rate limit in front of the platform's API",
              rules: [
                {
                  priority: 1000,
                  action: "throttle",
                  description: "Throttle each client IP",
                  match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
                  rateLimitOptions: {
                    conformAction: "allow",
                    exceedAction: "deny(429)",
                    enforceOnKey: "IP",
                    rateLimitThreshold: { count: args.cloudArmorRequestsPerMinute, intervalSec: 60 },
                  },
                },
                {
                  priority: 2147483647,
                  action: "allow",
                  description: "Default rule",
                  match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
                },
              ],
            },
            child,
          );

    const ns = args.namespace;
    this.gateway = new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name, namespace: ns, annotations: { "networking.gke.io/certmap": certMap.name } },
        spec: {
          gatewayClassName: GATEWAY_CLASS,
          addresses: [{ type: "NamedAddress", value: this.address.name }],
          listeners: [
            { name: "https", protocol: "HTTPS", port: 443, allowedRoutes: { namespaces: { from: "Same" } } },
            { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
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
          hostnames: [args.domain],
          // Longest prefix wins, so /v1/auth goes to the auth service although /v1 also matches.
          rules: [
            { matches: [...prefix("/v1/auth"), ...prefix("/.well-known")], backendRefs: backend(args.auth) },
            { matches: prefix("/v1"), backendRefs: backend(args.api) },
          ],
        },
      },
      { ...child, dependsOn: [this.gateway] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-https-redirect`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: `${name}-https-redirect`, namespace: ns },
        spec: {
          parentRefs: parent("http"),
          hostnames: [args.domain],
          rules: [
            { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
          ],
        },
      },
      { ...child, dependsOn: [this.gateway] },
    );

    for (const b of [args.auth, args.api]) {
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
              config: { type: "HTTP", httpHealthCheck: { port: b.port, requestPath: "/readyz" } },
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
              timeoutSec: args.timeoutSec ?? 30,
              connectionDraining: { drainingTimeoutSec: args.drainingTimeoutSec ?? 15 },
              logging: { enabled: true, sampleRate: 100000 },
              ...(armor ? { securityPolicy: armor.name } : {}),
            },
            targetRef: serviceRef,
          },
        },
        child,
      );
    }
    new k8s.apiextensions.CustomResource(
      `${name}-policy`,
      {
        apiVersion: "networking.gke.io/v1",
        kind: "GCPGatewayPolicy",
        metadata: { name: `${name}-policy`, namespace: ns },
        spec: {
          default: { sslPolicy: sslPolicy.name },
          targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name },
        },
      },
      child,
    );
    this.registerOutputs({ ip: this.address.address, url: this.url });
  }
}
