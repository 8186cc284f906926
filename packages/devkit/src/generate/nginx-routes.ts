/**
 * The local ingress's upstreams and routes, generated from the service catalogue into
 * scripts/ingress/nginx.conf.template: one upstream per routed service, one pair of locations per route prefix.
 */
import type { ServiceEntry } from "@platform/contract";

/** nginx upstream names cannot hold `-`. */
export const upstreamName = (service: string): string => service.replaceAll("-", "_");

/** The placeholder renderNginxConfig fills with a service's instances. */
export const serversPlaceholder = (service: string): string => `{{servers:${service}}}`;

/** Every (prefix, service) pair, longest prefix first, as the Gateway orders its PathPrefix matches. */
export function routeTable(services: readonly ServiceEntry[]): { prefix: string; service: string }[] {
  return services
    .flatMap((s) => s.routes.map((route) => ({ prefix: route.replace(/(.)\/+$/, "$1"), service: s.name })))
    .sort((a, b) => b.prefix.length - a.prefix.length || a.prefix.localeCompare(b.prefix));
}

/** One upstream block per service that has routes; devkit fills in the instances. */
export function nginxUpstreams(services: readonly ServiceEntry[]): string {
  return services
    .filter((s) => s.routes.length > 0)
    .map((s) =>
      [
        `  upstream ${upstreamName(s.name)} {`,
        serversPlaceholder(s.name),
        "    keepalive 32;",
        "    keepalive_timeout 4s;",
        "  }",
      ].join("\n"),
    )
    .join("\n\n");
}

/**
 * Gateway PathPrefix matches whole path segments: `/v1/auth` and `/v1/auth/...`, never `/v1/authx`; so each
 * prefix is an exact location plus its subtree.
 */
export function nginxLocations(services: readonly ServiceEntry[]): string {
  return routeTable(services)
    .map(({ prefix, service }) => {
      if (prefix === "/")
        throw new Error(`${service}: the local ingress cannot route all of / to one service`);
      const pass = `      proxy_pass http://${upstreamName(service)};`;
      return [`    location = ${prefix} {`, pass, "    }", `    location ${prefix}/ {`, pass, "    }"].join(
        "\n",
      );
    })
    .join("\n");
}
