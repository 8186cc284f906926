import { ConfigError } from "@platform/shared";
import { describe, expect, it } from "vitest";
import { envVariables } from "@platform/contract";
import { EnvSchema, loadConfig, SERVICE } from "./env.js";

describe("configuration", () => {
  it("when nothing is set in development, then the documented defaults apply", () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: "development",
      host: "0.0.0.0",
      port: 3000,
      metricsPort: 9464,
      logLevel: "info",
      mongodbUri: "mongodb://127.0.0.1:27017",
      mongodbDb: "jobs",
      drainDelayMs: 0,
      shutdownTimeoutMs: 25000,
      bodyLimit: "100kb",
      jwksUrl: "http://127.0.0.1:3001/.well-known/jwks.json",
      jwtIssuer: "http://localhost:3001",
      jwtAudience: "jobs-api",
      trustProxy: "loopback",
      version: "0.1.0",
      ferretdbWorkarounds: true,
    });
  });

  it("when SERVICE_VERSION is set, then the service reports it instead of the package version", () => {
    expect(loadConfig({ SERVICE_VERSION: "1.4.2+abc1234" }).version).toBe("1.4.2+abc1234");
    expect(() => loadConfig({ SERVICE_VERSION: "1.4.2 beta" })).toThrow(/SERVICE_VERSION/);
  });

  it("when FERRETDB_WORKAROUNDS=false (a MongoDB server), then the workarounds are off", () => {
    expect(loadConfig({ FERRETDB_WORKAROUNDS: "false" }).ferretdbWorkarounds).toBe(false);
  });

  it("when NODE_ENV=production lacks the deployment-specific variables, then it fails naming each of them", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: "production" });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["MONGODB_URI", "JWKS_URL", "JWT_ISSUER", "TRUST_PROXY"])
        expect(message).toContain(name);
    }
  });

  it("when production is fully configured, then the drain delay defaults to 5 s and trust proxy is a hop count", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      MONGODB_URI: "mongodb://db:27017/?replicaSet=rs0",
      JWKS_URL: "http://app-b/.well-known/jwks.json",
      JWT_ISSUER: "https://api.example.com",
      TRUST_PROXY: "2",
    });
    expect(config.drainDelayMs).toBe(5000);
    expect(config.trustProxy).toBe(2);
  });

  it.each([
    ["PORT", "70000"],
    ["METRICS_PORT", "abc"],
    ["LOG_LEVEL", "loud"],
    ["MONGODB_URI", "http://db"],
    ["JWKS_URL", "not a url"],
    ["BODY_LIMIT", "lots"],
    ["SHUTDOWN_TIMEOUT_MS", "-1"],
  ])("when %s is %j, then start-up fails naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});

describe("app-a's environment and the runtime contract", () => {
  it("when the variables app-a reads are listed, then they are exactly the contract's for its token role", () => {
    expect(Object.keys(EnvSchema.shape).sort()).toEqual(Object.keys(envVariables(SERVICE.tokens)).sort());
  });

  it("when nothing is set, then app-a listens on its catalogue ports and uses its catalogue database", () => {
    const config = loadConfig({ NODE_ENV: "development" });
    expect([config.port, config.metricsPort, config.mongodbDb]).toEqual([
      SERVICE.port,
      SERVICE.metricsPort,
      SERVICE.database,
    ]);
  });
});
