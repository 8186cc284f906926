import { serviceEntry } from "@platform/contract";
import { packageVersion, parseEnv, serviceConfig, serviceEnvShape } from "@platform/shared";
import type { ServiceConfig } from "@platform/shared";
import { z } from "zod";

/** app-a's catalogue entry (packages/contract/src/services.json): its ports, database and token role. */
export const SERVICE = serviceEntry("app-a");

/**
 * app-a's configuration: the only place that reads process.env. Parsed once at start-up; a bad value stops the
 * process with a message naming the variable. Defaults that only make sense on a laptop (localhost URLs,
 * loopback proxy trust) are refused in production, where those variables must be set explicitly.
 */
const DEV_DEFAULTS = {
  MONGODB_URI: "mongodb://127.0.0.1:27017",
  JWKS_URL: "http://127.0.0.1:3001/.well-known/jwks.json",
  JWT_ISSUER: "http://localhost:3001",
  TRUST_PROXY: "loopback",
} as const;

const PRODUCTION_REQUIRED = Object.keys(DEV_DEFAULTS) as (keyof typeof DEV_DEFAULTS)[];

export const EnvSchema = z
  .object({
    ...serviceEnvShape({ port: SERVICE.port, metricsPort: SERVICE.metricsPort, database: SERVICE.database }),
    JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const name of PRODUCTION_REQUIRED) {
      if (env[name] === undefined) {
        ctx.addIssue({ code: "custom", path: [name], message: "required when NODE_ENV=production" });
      }
    }
  });

export interface Config extends ServiceConfig {
  readonly jwksUrl: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
}

/** Throws shared's ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = parseEnv(EnvSchema, env);
  return {
    ...serviceConfig(parsed, DEV_DEFAULTS, packageVersion(new URL("../package.json", import.meta.url))),
    jwksUrl: parsed.JWKS_URL ?? DEV_DEFAULTS.JWKS_URL,
    jwtIssuer: parsed.JWT_ISSUER ?? DEV_DEFAULTS.JWT_ISSUER,
    jwtAudience: parsed.JWT_AUDIENCE,
  };
}
