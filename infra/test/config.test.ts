import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { ConfigValidationError, parseConfig } from "../src/config.js";
import { infraDir, STACKS } from "./support/rendered.js";

const project = parse(readFileSync(path.join(infraDir, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, { type: string; description: string }>;
};
const stackConfig = (stack: string) =>
  (
    parse(readFileSync(path.join(infraDir, `Pulumi.${stack}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;

/** A minimal valid configuration for `stack`, overridable per key. */
function source(overrides: Record<string, string> = {}) {
  const values: Record<string, string> = {
    project: "my-project-123",
    domain: "api.example.com",
    appAImage: "0.1.0",
    appBImage: "sha256:" + "a".repeat(64),
    ...overrides,
  };
  return { get: (key: string) => values[key] };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("stack configuration", () => {
  it("when only the required keys are set, then defaults fill in a hardened configuration", () => {
    const { config } = parseConfig(source(), "dev");
    expect(config.authorizedNetworks).toEqual([]);
    expect(config.deletionProtection).toBe(true);
    expect(config.appA.maxRatePerEndpoint).toBe(350);
    expect(config.mongodbVersion).toMatch(/^8\.0\.\d+$/);
  });

  it("when required keys are missing, then the error names each one and how to set it", () => {
    const message = errorOf(() => parseConfig({ get: () => undefined }, "dev"));
    for (const key of ["project", "domain", "appAImage", "appBImage"]) {
      expect(message).toContain(`${key}: required, set it with \`pulumi config set ${key} <value>\``);
    }
  });

  it("when the control plane would be open to the internet, then the config is rejected", () => {
    expect(
      errorOf(() => parseConfig(source({ authorizedNetworks: '["10.0.0.0/8","0.0.0.0/0"]' }), "dev")),
    ).toContain('authorizedNetworks: "0.0.0.0/0" opens the control plane to the internet');
  });

  it.each([
    [{ nodeMinCount: "4", nodeMaxCount: "2" }, "nodeMinCount: 4 is above nodeMaxCount 2"],
    [{ appAMinReplicas: "5", appAMaxReplicas: "3" }, "appAMinReplicas: 5 is above appAMaxReplicas 3"],
    [{ mongodbMembers: "2" }, "mongodbMembers: 2 members cannot elect a primary"],
    [{ mongodbVersion: "7.0.5" }, 'mongodbVersion: expected a pinned 8.0.x version, got "7.0.5"'],
    [{ appAImage: "latest" }, 'appAImage: "latest" is a floating tag'],
    [
      { appBImage: "europe-west1-docker.pkg.dev/p/platform/app-b:latest" },
      'appBImage: "latest" is a floating tag',
    ],
    [{ releaseChannel: "EXTENDED" }, "releaseChannel: expected one of RAPID, REGULAR, STABLE"],
    [{ subnetCidr: "10.0.0.0/33" }, "subnetCidr: expected an IPv4 CIDR"],
    [{ nodeSpot: "yes" }, 'nodeSpot: expected true or false, got "yes"'],
    [{ appACapacityTargetPercent: "150" }, "appACapacityTargetPercent: expected an integer from 10 to 100"],
  ])("when %o is set, then the error says %s", (overrides, expected) => {
    expect(errorOf(() => parseConfig(source(overrides), "dev"))).toContain(expected);
  });

  it("when a prod stack asks for a zonal cluster and single replicas, then each is rejected", () => {
    const message = errorOf(() =>
      parseConfig(
        source({
          regionalCluster: "false",
          deletionProtection: "false",
          appAMinReplicas: "1",
          mongodbMembers: "1",
        }),
        "prod",
      ),
    );
    expect(message).toContain("regionalCluster: prod must be regional");
    // Switching deletion protection off stays possible in prod: it is the first step of a deliberate teardown.
    expect(message).not.toContain("deletionProtection");
    expect(message).toContain("appAMinReplicas: prod needs at least 2");
    expect(message).toContain("mongodbMembers: prod needs at least 3");
  });

  it("when a full image reference is given, then it is accepted as CI sets it", () => {
    const ref = `europe-west1-docker.pkg.dev/my-project-123/platform/app-a@sha256:${"b".repeat(64)}`;
    expect(parseConfig(source({ appAImage: ref }), "dev").config.appA.image).toBe(ref);
  });
});

describe("Pulumi.yaml declarations", () => {
  const { keys } = parseConfig(source(), "dev");

  it("when the program reads a key, then Pulumi.yaml declares it with a type and a description, and nothing else", () => {
    expect(Object.keys(project.config).sort()).toEqual([...keys].sort());
    for (const [key, decl] of Object.entries(project.config)) {
      expect(["string", "integer", "boolean", "array"], key).toContain(decl.type);
      expect(decl.description.length, key).toBeGreaterThan(20);
    }
  });

  it.each(STACKS)(
    "when Pulumi.%s.yaml sets a key, then it is a declared project key and no value is secret",
    (stack) => {
      for (const [key, value] of Object.entries(stackConfig(stack))) {
        const [ns, name] = key.split(":");
        expect(ns, key).toBe(project.name);
        expect(Object.keys(project.config), key).toContain(name);
        expect(JSON.stringify(value), key).not.toMatch(/secure|password|BEGIN .*PRIVATE KEY/i);
      }
    },
  );

  it("when the default for maxRatePerEndpoint is documented, then it points at the benchmark it comes from", () => {
    expect(project.config.appAMaxRatePerEndpoint?.description).toMatch(
      /Default 350, derived from the benchmark/,
    );
  });
});
