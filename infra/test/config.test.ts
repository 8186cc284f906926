import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { parseCloudConfig } from "../src/cloud/config.js";
import { parsePlatformConfig } from "../src/platform/config.js";
import { mockEd25519Pem } from "../src/render/mocks.js";
import { ConfigValidationError, type ConfigSource } from "../src/shared/config-reader.js";
import { infraDir } from "./support/rendered.js";

interface Declaration {
  type: string;
  description: string;
  default?: unknown;
}
const project = (layer: "cloud" | "platform") =>
  parse(readFileSync(path.join(infraDir, layer, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main: string;
    runtime: { name: string; options: { typescript: boolean } };
    config: Record<string, Declaration>;
  };
const stackConfig = (layer: "cloud" | "platform", stack: string) =>
  (
    parse(readFileSync(path.join(infraDir, layer, `Pulumi.${stack}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;

const from = (values: Record<string, string>): ConfigSource => ({ get: (key) => values[key] });

/** The declared defaults as the engine hands them to the program (strings; JSON for non-strings). */
const declaredDefaults = (layer: "cloud" | "platform") =>
  Object.fromEntries(
    Object.entries(project(layer).config)
      .filter(([, d]) => d.default !== undefined)
      .map(([k, d]) => [k, typeof d.default === "string" ? d.default : JSON.stringify(d.default)]),
  );

/** A minimal valid cloud configuration, overridable per key. */
const cloudSource = (overrides: Record<string, string> = {}) =>
  from({ project: "my-project-123", domain: "api.example.com", ...overrides });

/** `services` as Pulumi hands it over (JSON), each service with an image plus `extra` fields. */
const services = (extra: Record<string, Record<string, unknown>> = {}) =>
  JSON.stringify({
    ...extra,
    "app-a": { image: "0.1.0", ...extra["app-a"] },
    "app-b": { image: "sha256:" + "a".repeat(64), ...extra["app-b"] },
  });
const uris = JSON.stringify({
  "app-a": "mongodb://10.0.0.5:27017/jobs",
  "app-b": "mongodb://10.0.0.5:27017/auth",
});

/** A minimal valid platform configuration on a cloud stack, overridable per key. */
const platformSource = (overrides: Record<string, string> = {}) =>
  from({
    cloudStack: "organization/gke-cloud/dev",
    services: services(),
    ...overrides,
  });

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("cloud stack configuration", () => {
  it("when only the required keys are set, then defaults fill in a hardened configuration", () => {
    const { config } = parseCloudConfig(cloudSource(), "dev");
    expect(config.authorizedNetworks).toEqual([]);
    expect(config.deletionProtection).toBe(true);
    expect(config.namePrefix).toBe("gke-dev");
    expect(config.zone).toBe("europe-west1-b");
  });

  it("when required keys are missing, then the error names each one and how to set it", () => {
    const message = errorOf(() => parseCloudConfig(from({}), "dev"));
    for (const key of ["project", "domain"])
      expect(message).toContain(`${key}: required, set it with \`pulumi config set ${key} <value>\``);
  });

  it.each([
    [
      { authorizedNetworks: '["10.0.0.0/8","0.0.0.0/0"]' },
      'authorizedNetworks: "0.0.0.0/0" opens the control plane',
    ],
    [{ nodeMinCount: "4", nodeMaxCount: "2" }, "nodeMinCount: 4 is above nodeMaxCount 2"],
    [{ releaseChannel: "EXTENDED" }, "releaseChannel: expected one of RAPID, REGULAR, STABLE"],
    [{ subnetCidr: "10.0.0.0/33" }, "subnetCidr: expected an IPv4 CIDR"],
    [{ nodeSpot: "yes" }, 'nodeSpot: expected true or false, got "yes"'],
    [
      { dnsEndpoint: "false" },
      "dnsEndpoint: false with an empty authorizedNetworks leaves the control plane reachable by nobody",
    ],
  ])("when %o is set, then the error says %s", (overrides, expected) => {
    expect(errorOf(() => parseCloudConfig(cloudSource(overrides), "dev"))).toContain(expected);
  });

  it("when the DNS endpoint is off but a network is authorised, then the IP endpoint alone is accepted", () => {
    const source = cloudSource({ dnsEndpoint: "false", authorizedNetworks: '["203.0.113.0/24"]' });
    expect(parseCloudConfig(source, "dev").config.dnsEndpoint).toBe(false);
  });

  it("when a production stack asks for a zonal cluster, then it is rejected but deletion protection may be switched off", () => {
    const message = errorOf(() =>
      parseCloudConfig(
        cloudSource({ production: "true", regionalCluster: "false", deletionProtection: "false" }),
        "prod-eu",
      ),
    );
    expect(message).toContain("regionalCluster: a production stack (production: true) must be regional");
    // Switching deletion protection off stays possible in prod: it is the first step of a deliberate teardown.
    expect(message).not.toContain("deletionProtection");
  });
});

describe("platform stack configuration", () => {
  it("when only the required keys are set, then everything GKE-only is on and MongoDB is operator-run", () => {
    const { config } = parsePlatformConfig(platformSource(), "dev");
    expect(config.clusterFlavor).toBe("gke");
    expect(config.gke).toEqual({
      gatewayPolicies: true,
      trafficAutoscaling: true,
      workloadIdentity: true,
      podMonitoring: true,
      backup: true,
    });
    expect(config.gatewayClassName).toBe("gke-l7-global-external-managed");
    expect(config.mongodbStorageClass).toBe("premium-rwo");
    expect([config.gatewayHttpPort, config.gatewayHttpsPort]).toEqual([80, 443]);
    expect(config.imagePullPolicy).toBe("IfNotPresent");
    expect(config.services["app-a"]?.maxRatePerEndpoint).toBe(110);
    expect([config.hpaScaleUpStabilizationSeconds, config.hpaScaleDownStabilizationSeconds]).toEqual([
      0, 300,
    ]);
    expect(config.rolloutTimeoutSeconds).toBe(600);
    expect(config.gatewayProxyHops).toBe(2);
  });

  it("when the Gateway runs in the cluster (generic), then the apps trust one X-Forwarded-For hop, and the count can be set", () => {
    const generic = { clusterFlavor: "generic", gatewayClassName: "traefik" };
    expect(parsePlatformConfig(platformSource(generic), "dev").config.gatewayProxyHops).toBe(1);
    expect(
      parsePlatformConfig(platformSource({ ...generic, gatewayProxyHops: "2" }), "dev").config
        .gatewayProxyHops,
    ).toBe(2);
  });

  it("when the flavor is generic, then every GKE-only object is off, and each can be switched back on", () => {
    const generic = { clusterFlavor: "generic", gatewayClassName: "traefik" };
    expect(parsePlatformConfig(platformSource(generic), "dev").config.gke).toEqual({
      gatewayPolicies: false,
      trafficAutoscaling: false,
      workloadIdentity: false,
      podMonitoring: false,
      backup: false,
    });
    const some = parsePlatformConfig(platformSource({ ...generic, podMonitoring: "true" }), "dev").config;
    expect(some.gke.podMonitoring).toBe(true);
    expect(some.mongodbStorageClass).toBe("");
  });

  it.each([
    [
      { services: services({ "app-a": { minReplicas: 5, maxReplicas: 3 } }) },
      "services.app-a.minReplicas: 5 is above services.app-a.maxReplicas 3",
    ],
    [
      { services: JSON.stringify({ "app-a": { image: "0.1.0" } }) },
      "services.app-b.image: required, set it with `pulumi config set --path services.app-b.image <value>`",
    ],
    [{ services: services({ "app-c": { image: "0.1.0" } }) }, "services.app-c: not in the service catalogue"],
    [{ services: services({ "app-a": { replicas: 3 } }) }, "services.app-a.replicas: unknown field"],
    [{ gatewayClassName: "nginx" }, 'gatewayClassName: unknown class "nginx"'],
    [{ mongodbMode: "external" }, "mongodbUris.app-a: required when mongodbMode is external"],
    [{ mongodbMode: "external" }, "mongodbUris.app-b: required when mongodbMode is external"],
    [{ mongodbMode: "external" }, "mongodbEgressCidrs: required when mongodbMode is external"],
    [{ cloudStack: "" }, "jwtSigningKey: required without cloudStack"],
    [{ cloudStack: "", mongodbMode: "operator" }, "mongodbPasswords.app-a: required without cloudStack"],
    [
      { jwtSigningKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" },
      "jwtSigningKey: not a readable private key",
    ],
    [
      { gatewayTlsCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" },
      "gatewayTlsCertificate: set together with gatewayTlsPrivateKey",
    ],
    [
      { mongodbUris: JSON.stringify({ "app-a": "postgres://x" }) },
      "mongodbUris.app-a: expected a mongodb:// or mongodb+srv:// connection string",
    ],
    [{ imagePullPolicy: "Sometimes" }, "imagePullPolicy: expected one of Always, IfNotPresent, Never"],
    [{ gatewayHttpPort: "443" }, "gatewayHttpsPort: must differ from gatewayHttpPort"],
    [{ mongodbMembers: "2" }, "mongodbMembers: 2 members cannot elect a primary"],
    [{ mongodbVersion: "7.0.5" }, 'mongodbVersion: expected a pinned 8.0.x version, got "7.0.5"'],
    [
      { services: services({ "app-a": { image: "latest" } }) },
      'services.app-a.image: "latest" is a floating tag',
    ],
    [{ cloudStack: "gke-cloud-dev" }, "cloudStack: expected <organization>/<project>/<stack>"],
    [
      { services: services({ "app-a": { capacityTargetPercent: 150 } }) },
      "services.app-a.capacityTargetPercent: expected an integer from 10 to 100",
    ],
  ])("when %o is set, then the error says %s", (overrides, expected) => {
    expect(errorOf(() => parsePlatformConfig(platformSource(overrides), "dev"))).toContain(expected);
  });

  it("when a service is given more of its own settings, then they reach its environment, and what it does not read, a secret or a platform-set variable is refused", () => {
    const ok = parsePlatformConfig(
      platformSource({ services: services({ "app-b": { env: { REGISTER_MAX_PER_IP: 500 } } }) }),
      "dev",
    );
    expect(ok.config.services["app-b"]?.env).toEqual({ REGISTER_MAX_PER_IP: "500" });
    const message = errorOf(() =>
      parsePlatformConfig(
        platformSource({
          services: services({
            "app-a": { env: { REGISTER_MAX_PER_IP: 5, MONGODB_URI: "mongodb://x", PORT: 1 } },
          }),
        }),
        "dev",
      ),
    );
    expect(message).toContain("services.app-a.env.REGISTER_MAX_PER_IP: app-a does not read it");
    expect(message).toContain("services.app-a.env.MONGODB_URI: a secret");
    expect(message).toContain("services.app-a.env.PORT: set by the platform");
  });

  it("when a secret value is rejected, then the message names the key but never shows the value", () => {
    const uri = "postgres://user:hunter2@db";
    const source = platformSource({ mongodbUris: JSON.stringify({ "app-a": uri }) });
    const message = errorOf(() => parsePlatformConfig(source, "dev"));
    expect(message).toContain("mongodbUris.app-a");
    expect(message).not.toContain("hunter2");
  });

  it("when another Gateway implementation is listed in allowedGatewayClasses, then its class is accepted", () => {
    const source = platformSource({ gatewayClassName: "envoy", allowedGatewayClasses: '["envoy"]' });
    expect(parsePlatformConfig(source, "dev").config.gatewayClassName).toBe("envoy");
  });

  it("when a bring-your-own stack has its secrets, then it needs no cloud stack", () => {
    const { config } = parsePlatformConfig(
      platformSource({
        cloudStack: "",
        publicUrl: "https://localhost:30443",
        jwtSigningKey: mockEd25519Pem("test"),
        mongodbMode: "external",
        mongodbUris: uris,
        mongodbEgressCidrs: '["10.0.0.5/32"]',
      }),
      "local",
    );
    expect(config.cloudStack).toBeUndefined();
    expect(config.gke.backup).toBe(false);
  });

  it("when the database is external, then the FerretDB workarounds are on unless the stack says the server is MongoDB", () => {
    const external = {
      mongodbMode: "external",
      mongodbUris: uris,
      mongodbEgressCidrs: '["10.0.0.5/32"]',
    };
    expect(parsePlatformConfig(platformSource(external), "dev").config.ferretdbWorkarounds).toBe(true);
    const atlas = platformSource({ ...external, ferretdbWorkarounds: "false" });
    expect(parsePlatformConfig(atlas, "dev").config.ferretdbWorkarounds).toBe(false);
    expect(parsePlatformConfig(platformSource({}), "dev").config.ferretdbWorkarounds).toBe(false);
  });

  it("when safeguards are asked for, then the setting decides, not the stack's name (prod-eu has them, a stack named prod without the setting does not)", () => {
    const single = { services: services({ "app-a": { minReplicas: 1 } }), mongodbMembers: "1" };
    expect(
      errorOf(() => parsePlatformConfig(platformSource({ ...single, production: "true" }), "prod-eu")),
    ).toContain("services.app-a.minReplicas: a production stack (production: true) needs at least 2");
    expect(parsePlatformConfig(platformSource(single), "prod").config.production).toBe(false);
    expect(parseCloudConfig(cloudSource({ regionalCluster: "false" }), "prod").config.regionalCluster).toBe(
      false,
    );
  });

  it("when a production stack asks for single replicas, then each is rejected", () => {
    const message = errorOf(() =>
      parsePlatformConfig(
        platformSource({
          services: services({ "app-a": { minReplicas: 1 } }),
          mongodbMembers: "1",
          production: "true",
        }),
        "prod",
      ),
    );
    expect(message).toContain(
      "services.app-a.minReplicas: a production stack (production: true) needs at least 2",
    );
    expect(message).toContain("mongodbMembers: a production stack (production: true) needs at least 3");
  });
});

describe.each(["cloud", "platform"] as const)("%s/Pulumi.yaml", (layer) => {
  const parseLayer = (source: ConfigSource) =>
    layer === "cloud" ? parseCloudConfig(source, "dev") : parsePlatformConfig(source, "dev");
  const minimal: Record<string, string> =
    layer === "cloud"
      ? { project: "my-project-123", domain: "api.example.com" }
      : { cloudStack: "organization/gke-cloud/dev", services: services() };
  const decls = project(layer).config;

  it("when the program reads a key, then Pulumi.yaml declares it with a type and a description, and nothing else", () => {
    const { keys } = parseLayer(from(minimal));
    expect(Object.keys(decls).sort()).toEqual([...keys].sort());
    for (const [key, decl] of Object.entries(decls)) {
      expect(["string", "integer", "boolean", "array", "object"], key).toContain(decl.type);
      expect(decl.description.length, key).toBeGreaterThan(20);
    }
  });

  it("when a key is optional, then Pulumi.yaml gives it a default (the engine refuses declared keys without one) equal to the program's", () => {
    const required = Object.keys(minimal).filter((k) => k !== "cloudStack" && k !== "services");
    for (const [key, decl] of Object.entries(decls))
      if (!required.includes(key)) expect(decl.default, `${key} needs a default`).toBeDefined();
    const withDefaults = parseLayer(from({ ...declaredDefaults(layer), ...minimal })).config;
    expect(withDefaults).toEqual(parseLayer(from(minimal)).config);
  });

  it("when Pulumi runs the layer, then it runs the prebuilt JavaScript of this layer", () => {
    expect(project(layer).name).toBe(layer === "cloud" ? "gke-cloud" : "gke-platform");
    expect(project(layer).main).toBe(`../dist/${layer}/index.js`);
    expect(project(layer).runtime.options.typescript).toBe(false);
  });

  it.each(layer === "cloud" ? ["dev", "prod"] : ["dev", "prod", "local.example"])(
    "when Pulumi.%s.yaml sets a key, then it is a declared project key and no value is secret",
    (stack) => {
      for (const [key, value] of Object.entries(stackConfig(layer, stack))) {
        const [ns, name] = key.split(":");
        expect(ns, key).toBe(project(layer).name);
        expect(Object.keys(decls), key).toContain(name);
        expect(JSON.stringify(value), key).not.toMatch(/secure|password|BEGIN .*PRIVATE KEY/i);
      }
    },
  );
});

describe("platform/Pulumi.yaml documentation", () => {
  it("when the default for maxRatePerEndpoint is documented, then it points at the catalogue's measured rate", () => {
    expect(project("platform").config.services?.description).toMatch(
      /maxRatePerEndpoint \(the entry's measured requestsPerSecondPerPod\)/,
    );
  });
});

describe("per-service config before the catalogue (appAImage, mongodbAppAPassword, ...)", () => {
  const legacy = {
    cloudStack: "",
    publicUrl: "https://localhost:30443",
    jwtSigningKey: mockEd25519Pem("legacy"),
    appAImage: "0.1.0",
    appAMinReplicas: "3",
    appAMaxRatePerEndpoint: "200",
    appBImage: "0.2.0",
    appBCpuRequest: "750m",
    mongodbAppAPassword: "a".repeat(40),
    mongodbAppBPassword: "b".repeat(40),
    mongodbBackupPassword: "c".repeat(40),
  };

  it("when a stack still sets the old keys, then they are honoured and each is reported as deprecated", () => {
    const { config } = parsePlatformConfig(from(legacy), "dev");
    expect(config.services["app-a"]).toMatchObject({
      image: "0.1.0",
      minReplicas: 3,
      maxRatePerEndpoint: 200,
    });
    expect(config.services["app-b"]).toMatchObject({ image: "0.2.0", cpuRequest: "750m" });
    expect(config.secrets.mongodbPasswords).toEqual({ "app-a": "a".repeat(40), "app-b": "b".repeat(40) });
    expect([...config.deprecatedKeys].sort()).toEqual(
      [
        "appAImage",
        "appAMinReplicas",
        "appAMaxRatePerEndpoint",
        "appBImage",
        "appBCpuRequest",
        "mongodbAppAPassword",
        "mongodbAppBPassword",
      ].sort(),
    );
  });

  it("when a stack is migrated, then the old and new forms give the same config, without warnings", () => {
    const migrated = {
      ...Object.fromEntries(Object.entries(legacy).filter(([key]) => !/^(app[AB]|mongodbApp)/.test(key))),
      services: JSON.stringify({
        "app-a": { image: "0.1.0", minReplicas: 3, maxRatePerEndpoint: 200 },
        "app-b": { image: "0.2.0", cpuRequest: "750m" },
      }),
      mongodbPasswords: JSON.stringify({ "app-a": "a".repeat(40), "app-b": "b".repeat(40) }),
    };
    const before = parsePlatformConfig(from(legacy), "dev").config;
    const after = parsePlatformConfig(from(migrated), "dev").config;
    expect(after.deprecatedKeys).toEqual([]);
    expect({ ...after, deprecatedKeys: [] }).toEqual({ ...before, deprecatedKeys: [] });
  });

  it("when both forms set a field, then the new one wins", () => {
    const both = { ...legacy, services: JSON.stringify({ "app-a": { image: "0.9.0" } }) };
    expect(parsePlatformConfig(from(both), "dev").config.services["app-a"]?.image).toBe("0.9.0");
  });
});
