import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICES } from "@platform/contract";
import type { ServiceEntry } from "@platform/contract";
import { describe, expect, it } from "vitest";
import { renderNginxConfig, templatePath } from "../nginx-config.js";
import { repoRoot } from "../repo.js";
import { serviceEnv, startOrder } from "../stack.js";
import { generatedFiles, renderNginxTemplate } from "./files.js";
import { routeTable } from "./nginx-routes.js";

/** A catalogue with a third service, as `pnpm new-service billing` adds it. */
const billing: ServiceEntry = {
  ...SERVICES[0]!,
  name: "billing",
  package: "apps/billing",
  port: 3002,
  metricsPort: 9466,
  database: "billing",
  routes: ["/v1/billing"],
  tokens: "verifier",
  calls: [SERVICES.find((s) => s.tokens === "issuer")!.name],
  smokePath: "/v1/billing/about",
};
const threeServices = [...SERVICES, billing];

describe("the generated files", () => {
  it.each(generatedFiles(repoRoot()).map((f) => [f.path, f] as const))(
    "when %s is generated from the contract, then the committed file is the same (stale: run pnpm generate)",
    async (path, file) => {
      const committed = readFileSync(join(repoRoot(), path), "utf8");
      expect(await file.render(committed), `${path} is stale: run pnpm generate`).toBe(committed);
    },
  );
});

describe("the ingress's routes for a catalogue with a third service", () => {
  const template = renderNginxTemplate(readFileSync(templatePath(), "utf8"), threeServices);

  it("when the template is generated, then the new service has its upstream and its prefix, exact and subtree", () => {
    expect(template).toContain("upstream billing {\n{{servers:billing}}");
    expect(template).toMatch(/location = \/v1\/billing \{\n\s+proxy_pass http:\/\/billing;/);
    expect(template).toMatch(/location \/v1\/billing\/ \{\n\s+proxy_pass http:\/\/billing;/);
  });

  it("when routes share a start, then the longest prefix comes first, as the Gateway orders them", () => {
    const prefixes = routeTable(threeServices).map((r) => r.prefix);
    expect(prefixes.indexOf("/v1/billing")).toBeLessThan(prefixes.indexOf("/v1"));
    expect(prefixes.indexOf("/v1/auth")).toBeLessThan(prefixes.indexOf("/v1"));
    const locations = [...template.matchAll(/location = (\/\S+) \{\n\s+proxy_pass/g)].map((m) => m[1]);
    expect(locations).toEqual(prefixes);
  });

  it("when rendered with instances of two services only, then the third's upstream is an always-down placeholder", () => {
    const conf = renderNginxConfig(
      {
        prefix: "/tmp/x",
        httpsPort: 8443,
        httpPort: 8080,
        statusPort: 9000,
        certFile: "/tmp/x/c.crt",
        keyFile: "/tmp/x/c.key",
        upstreams: { "app-a": ["127.0.0.1:3000"], "app-b": ["127.0.0.1:3001"] },
        generation: 1,
      },
      template,
    );
    expect(conf).toMatch(/upstream billing \{\n\s+server 127\.0\.0\.1:1 down;/);
  });
});

describe("the processes pnpm dev starts for a catalogue with a third service", () => {
  const context = {
    mongoUri: "mongodb://db",
    signingKeys: "[keys]",
    issuerUrl: "http://127.0.0.1:3001",
    cataloguePorts: true,
  };

  it("when the start order is computed, then the issuer comes before every service that calls it, the new one included", () => {
    const order = startOrder(threeServices).map((s) => s.name);
    expect(order).toHaveLength(3);
    expect(order.indexOf("billing")).toBeGreaterThan(order.indexOf("app-b"));
    expect(order.indexOf("app-a")).toBeGreaterThan(order.indexOf("app-b"));
  });

  it("when the new service's environment is computed, then it has its catalogue ports and database and the issuer's key set", () => {
    expect(serviceEnv(billing, context)).toEqual({
      MONGODB_URI: "mongodb://db",
      MONGODB_DB: "billing",
      PORT: "3002",
      METRICS_PORT: "9466",
      JWKS_URL: "http://127.0.0.1:3001/.well-known/jwks.json",
    });
  });

  it("when the issuer's environment is computed, then it gets the signing keys and no key set URL", () => {
    const issuer = threeServices.find((s) => s.tokens === "issuer")!;
    const env = serviceEnv(issuer, { ...context, cataloguePorts: false });
    expect(env).toMatchObject({ JWT_SIGNING_KEYS: "[keys]", MONGODB_DB: issuer.database });
    expect(env).not.toHaveProperty("JWKS_URL");
    expect(env).not.toHaveProperty("PORT");
  });

  it("when services call each other in a cycle, then there is no start order", () => {
    const a = { ...billing, name: "a", calls: ["b"] };
    const b = { ...billing, name: "b", calls: ["a"] };
    expect(() => startOrder([a, b])).toThrow(/cycle/);
  });
});
