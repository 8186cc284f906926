import { parseEnv, serviceEnvShape } from "@platform/shared";
import type { LogLevel, TrustProxy } from "@platform/shared";
import { z } from "zod";

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

const EnvSchema = z
  .object({
    ...serviceEnvShape({ port: 3000, metricsPort: 9464, database: "jobs" }),
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

export interface Config {
  readonly nodeEnv: "development" | "test" | "production";
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly mongodbUri: string;
  readonly mongodbDb: string;
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimit: string;
  readonly jwksUrl: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly trustProxy: TrustProxy;
}

/** Throws shared's ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = parseEnv(EnvSchema, env);
  const production = parsed.NODE_ENV === "production";
  return {
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    metricsPort: parsed.METRICS_PORT,
    logLevel: parsed.LOG_LEVEL,
    mongodbUri: parsed.MONGODB_URI ?? DEV_DEFAULTS.MONGODB_URI,
    mongodbDb: parsed.MONGODB_DB,
    // In production the load balancer needs a few seconds to notice the failing readiness before we stop accepting.
    drainDelayMs: parsed.SHUTDOWN_DRAIN_DELAY_MS ?? (production ? 5000 : 0),
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    bodyLimit: parsed.BODY_LIMIT,
    jwksUrl: parsed.JWKS_URL ?? DEV_DEFAULTS.JWKS_URL,
    jwtIssuer: parsed.JWT_ISSUER ?? DEV_DEFAULTS.JWT_ISSUER,
    jwtAudience: parsed.JWT_AUDIENCE,
    trustProxy: parsed.TRUST_PROXY ?? DEV_DEFAULTS.TRUST_PROXY,
  };
}
