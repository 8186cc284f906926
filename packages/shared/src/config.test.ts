import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bool, ConfigError, durationMs, logLevel, parseEnv, port, trustProxy } from "./config.js";

const schema = z.object({
  PORT: port().default(3000),
  TIMEOUT_MS: durationMs().default(1000),
  DEBUG: bool().default(false),
  LOG_LEVEL: logLevel().default("info"),
  SECRET: z.string().min(1),
});

describe("parseEnv", () => {
  it("when every variable is valid, then it returns typed values and defaults", () => {
    expect(parseEnv(schema, { PORT: "0", DEBUG: "true", SECRET: "s" })).toEqual({
      PORT: 0,
      TIMEOUT_MS: 1000,
      DEBUG: true,
      LOG_LEVEL: "info",
      SECRET: "s",
    });
  });

  it("when several variables are bad, then the error names each of them", () => {
    const error = (() => {
      try {
        parseEnv(schema, { PORT: "70000", TIMEOUT_MS: "soon", DEBUG: "yes", LOG_LEVEL: "loud" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ["PORT", "TIMEOUT_MS", "DEBUG", "LOG_LEVEL", "SECRET"])
      expect(message).toContain(`${name}:`);
    expect(message).toContain("PORT: expected a port number 0-65535");
    expect(message).toContain("SECRET: required");
  });

  it("when a variable is set to the empty string, then it counts as unset", () => {
    expect(parseEnv(schema, { PORT: "", SECRET: "s" }).PORT).toBe(3000);
  });
});

describe("trustProxy", () => {
  it.each([
    ["true", true],
    ["false", false],
    ["2", 2],
    ["loopback, 10.0.0.0/8", "loopback, 10.0.0.0/8"],
  ])("when TRUST_PROXY is %s, then Express gets %j", (input, expected) => {
    expect(trustProxy().parse(input)).toEqual(expected);
  });
});
