import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

import { DNS_NAME } from "../../shared/config-reader.js";

/** Arguments for {@link Edge}. */
export interface EdgeArgs {
  /** Public host name served over HTTPS. */
  domain: string;
  /** Cloud DNS managed zone serving `domain`: enables DNS authorisation and creates the records. */
  dnsZone?: string;
  /** Per-client-IP request budget enforced by Cloud Armor; undefined = no Cloud Armor policy. */
  cloudArmorRequestsPerMinute?: number;
}

/**
 * The Google Cloud half of the HTTPS entry point: a global static IP, a Google-managed certificate in a
 * certificate map, a MODERN / TLS 1.2+ SSL policy and the optional Cloud Armor policy. The platform layer's
 * Gateway refers to them by name (NamedAddress, `networking.gke.io/certmap`, GCPGatewayPolicy, GCPBackendPolicy).
 */
export class Edge extends pulumi.ComponentResource {
  readonly address: gcp.compute.GlobalAddress;
  readonly certificateMap: gcp.certificatemanager.CertificateMap;
  readonly sslPolicy: gcp.compute.SSLPolicy;
  readonly securityPolicy: gcp.compute.SecurityPolicy | undefined;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gke-cloud:index:Edge", name, {}, opts);
    if (!DNS_NAME.test(args.domain)) {
      throw new pulumi.ResourceError(`domain "${args.domain}" is not a DNS name`, this);
    }
    const child = { parent: this };

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
    this.certificateMap = new gcp.certificatemanager.CertificateMap(`${name}-certmap`, {}, child);
    new gcp.certificatemanager.CertificateMapEntry(
      `${name}-certmap-entry`,
      { map: this.certificateMap.name, certificates: [certificate.id], hostname: args.domain },
      child,
    );
    this.sslPolicy = new gcp.compute.SSLPolicy(
      `${name}-tls`,
      { profile: "MODERN", minTlsVersion: "TLS_1_2" },
      child,
    );
    this.securityPolicy =
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
    this.registerOutputs({ ip: this.address.address, certificateMap: this.certificateMap.name });
  }
}
