import { SHUTDOWN } from "@platform/contract";
import { z } from "zod";

/**
 * Environment parsing. Nothing in this package reads process.env: each service passes its own environment in,
 * so tests can hand in a plain object and the one place that touches process.env is the service's env.ts.
 */

/**
 * A start-up problem the operator fixes from its message alone (a bad variable, an unusable key): the start-up
 * failure line (reportStartupFailure) prints the message without a stack trace.
 */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Thrown by parseEnv; the message lists every bad variable by name so one start-up attempt shows all problems. */
export class ConfigError extends StartupError {
  readonly issues: readonly { readonly variable: string; readonly message: string }[];

  constructor(issues: readonly { readonly variable: string; readonly message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join("; ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * Parses `env` with `schema` (a zod object whose keys are variable names). Empty strings count as unset, because
 * `FOO=` in a manifest or shell usually means "not configured" rather than "the empty value".
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.map(String).join(".") : "(environment)",
      message: issue.code === "invalid_type" && issue.input === undefined ? "required" : issue.message,
    })),
  );
}

/** A TCP port number as a string ("0" lets the OS choose, which tests rely on). */
export function port() {
  return z
    .string()
    .regex(/^\d{1,5}$/, "expected a port number 0-65535")
    .transform(Number)
    .refine((n) => n <= 65_535, "expected a port number 0-65535");
}

/** A non-negative whole number of milliseconds. */
export function durationMs() {
  return z
    .string()
    .regex(/^\d+$/, "expected a whole number of milliseconds")
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), "expected a whole number of milliseconds");
}

/** A positive whole number (counts, seconds, limits). */
export function positiveInt() {
  return z
    .string()
    .regex(/^\d+$/, "expected a positive whole number")
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n > 0, "expected a positive whole number");
}

/** "true"/"false"/"1"/"0"; anything else is an error rather than a silent false. */
export function bool() {
  return z
    .enum(["true", "false", "1", "0"], { error: "expected true or false" })
    .transform((v) => v === "true" || v === "1");
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino log level name. */
export function logLevel() {
  return z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` });
}

/** Express's `trust proxy` setting: true/false, a hop count, or addresses/subnets/names such as "loopback". */
export type TrustProxy = boolean | number | string;

/** Parses TRUST_PROXY-style values into what `app.set("trust proxy", ...)` expects. */
export function trustProxy() {
  return z
    .string()
    .min(1)
    .transform((value): TrustProxy => {
      if (value === "true") return true;
      if (value === "false") return false;
      if (/^\d+$/.test(value)) return Number(value);
      return value;
    });
}

/** Each service's own defaults for the variables every service reads. */
export interface ServiceEnvDefaults {
  readonly port: number;
  readonly metricsPort: number;
  readonly database: string;
}

/**
 * The zod fields of the variables both services read (the runtime contract, docs/runtime-contract.md: HTTP and
 * metrics ports, logging, MongoDB, shutdown, body limit, token issuer/audience, proxy trust, version). A service spreads them into its own schema
 * and adds what only it reads; production-only requirements stay with the service.
 */
export function serviceEnvShape(defaults: ServiceEnvDefaults) {
  return {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: port().default(defaults.port),
    METRICS_PORT: port().default(defaults.metricsPort),
    LOG_LEVEL: logLevel().default("info"),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// or mongodb+srv:// URI")
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, "expected a database name")
      .default(defaults.database),
    SHUTDOWN_DRAIN_DELAY_MS: durationMs().optional(),
    SHUTDOWN_TIMEOUT_MS: durationMs().default(SHUTDOWN.timeoutMs),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, "expected a size such as 100kb")
      .default("100kb"),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).default("jobs-api"),
    TRUST_PROXY: trustProxy().optional(),
    FERRETDB_WORKAROUNDS: bool().default(true),
    SERVICE_VERSION: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/, "expected a version such as 1.4.2 or 1.4.2+abc1234")
      .optional(),
  };
}

/** What serviceEnvShape's variables parse to. */
export type ServiceEnv = z.infer<z.ZodObject<ReturnType<typeof serviceEnvShape>>>;

/** The settings every service derives from serviceEnvShape's variables. */
export interface ServiceConfig {
  readonly nodeEnv: "development" | "test" | "production";
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly mongodbUri: string;
  readonly mongodbDb: string;
  /** How long /readyz fails before the server stops accepting on SIGTERM. */
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimit: string;
  readonly trustProxy: TrustProxy;
  /** What the service reports as its version (SERVICE_VERSION, else its package.json version). */
  readonly version: string;
  /**
   * Keep the FerretDB workarounds that cost something on MongoDB (docs/decisions/): claims before guarded writes,
   * one index per createIndexes command. FERRETDB_WORKAROUNDS=false turns them off where the server is MongoDB.
   */
  readonly ferretdbWorkarounds: boolean;
}

/**
 * Maps the common variables to settings. `devDefaults` apply only where the variable is unset, and a service
 * refuses them in production (its schema requires those variables there). `packageVersion` is the version
 * reported when SERVICE_VERSION is unset, so an image can be built with a version string of its own.
 */
export function serviceConfig(
  env: ServiceEnv,
  devDefaults: { readonly MONGODB_URI: string; readonly TRUST_PROXY: TrustProxy },
  packageVersion: string,
): ServiceConfig {
  const production = env.NODE_ENV === "production";
  return {
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    metricsPort: env.METRICS_PORT,
    logLevel: env.LOG_LEVEL,
    mongodbUri: env.MONGODB_URI ?? devDefaults.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    // In production the load balancer needs a few seconds to notice the failing readiness before we stop accepting.
    drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS ?? (production ? SHUTDOWN.productionDrainDelayMs : 0),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    bodyLimit: env.BODY_LIMIT,
    trustProxy: env.TRUST_PROXY ?? devDefaults.TRUST_PROXY,
    version: env.SERVICE_VERSION ?? packageVersion,
    ferretdbWorkarounds: env.FERRETDB_WORKAROUNDS,
  };
}
