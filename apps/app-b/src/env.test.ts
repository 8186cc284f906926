import { ConfigError } from "@platform/shared";
import { describe, expect, it } from "vitest";
import { generateDevelopmentKey } from "./domain/keys.js";
import { envVariables } from "@platform/contract";
import { EnvSchema, loadConfig, SERVICE } from "./env.js";

function errorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected loadConfig to throw");
}

const key = generateDevelopmentKey();
const production = {
  NODE_ENV: "production",
  MONGODB_URI: "mongodb://db:27017",
  JWT_ISSUER: "https://api.example.com",
  TRUST_PROXY: "1",
  JWT_SIGNING_KEYS: JSON.stringify([key]),
};

describe("loadConfig", () => {
  it("when nothing is set, then the development defaults of the runtime contract apply", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3001, metricsPort: 9465, mongodbDb: "auth", drainDelayMs: 0 });
    expect(config.jwt).toMatchObject({
      audience: "jobs-api",
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      sessionMaxAgeSeconds: 2_592_000,
      signingKeys: undefined,
    });
    expect(config.login).toEqual({
      maxAttemptsPerAccountAndAddress: 5,
      maxAttemptsPerAddress: 50,
      windowSeconds: 900,
      maxAttemptsPerAccount: 100,
      accountWindowSeconds: 3600,
    });
    expect(config.registration).toEqual({ maxPerAddress: 20, windowSeconds: 600 });
    expect(config.argon2).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
  });

  it("when production lacks signing keys and other dev-only defaults, then each variable is named", () => {
    const message = errorOf({ NODE_ENV: "production" });
    for (const name of ["JWT_SIGNING_KEYS", "MONGODB_URI", "JWT_ISSUER", "TRUST_PROXY"])
      expect(message).toContain(`${name}:`);
  });

  it("when production is fully configured, then keys are parsed and the drain delay defaults to 5 s", () => {
    const config = loadConfig(production);
    expect(config.jwt.signingKeys?.[0]?.kid).toBe(key.kid);
    expect(config.drainDelayMs).toBe(5000);
    expect(config.trustProxy).toBe(1);
  });

  it.each([
    ["not JSON", "{oops"],
    ["an empty array", "[]"],
    ["duplicate kids", JSON.stringify([key, key])],
    ["a bad kid", JSON.stringify([{ ...key, kid: "has space" }])],
    ["an unknown field", JSON.stringify([{ ...key, public: "x" }])],
  ])("when JWT_SIGNING_KEYS is %s, then the error names JWT_SIGNING_KEYS", (_case, value) => {
    expect(errorOf({ JWT_SIGNING_KEYS: value })).toContain("JWT_SIGNING_KEYS");
  });

  it("when Argon2 parameters are below the OWASP minimum, then they are refused", () => {
    const message = errorOf({ ARGON2_MEMORY_KIB: "8192", ARGON2_TIME_COST: "1" });
    expect(message).toContain("ARGON2_MEMORY_KIB: must be at least 19456");
    expect(message).toContain("ARGON2_TIME_COST: must be at least 2");
    expect(loadConfig({ ARGON2_MEMORY_KIB: "65536", ARGON2_TIME_COST: "3" }).argon2.memoryKiB).toBe(65_536);
  });

  it("when numbers are not numbers, then the variables are named", () => {
    const message = errorOf({ PORT: "http", LOGIN_MAX_ATTEMPTS: "0", ACCESS_TOKEN_TTL_SECONDS: "-1" });
    for (const name of ["PORT", "LOGIN_MAX_ATTEMPTS", "ACCESS_TOKEN_TTL_SECONDS"])
      expect(message).toContain(`${name}:`);
  });
});

describe("app-b's environment and the runtime contract", () => {
  it("when the variables app-b reads are listed, then they are exactly the contract's for its token role", () => {
    expect(Object.keys(EnvSchema.shape).sort()).toEqual(Object.keys(envVariables(SERVICE.tokens)).sort());
  });

  it("when nothing is set, then app-b listens on its catalogue ports and uses its catalogue database", () => {
    const config = loadConfig({ NODE_ENV: "development" });
    expect([config.port, config.metricsPort, config.mongodbDb]).toEqual([
      SERVICE.port,
      SERVICE.metricsPort,
      SERVICE.database,
    ]);
  });
});
