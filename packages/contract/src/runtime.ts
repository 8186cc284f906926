/**
 * The runtime contract every service keeps (docs/runtime-contract.md): the paths, the start-up line, the shutdown
 * bounds and the environment variables. Apps, devkit, the tests, bench and infra import these values instead of
 * writing them again.
 */

/** Liveness: the process answers. */
export const HEALTH_PATH = "/healthz";
/** Readiness: the service can do useful work (its database answers, its indexes exist). */
export const READINESS_PATH = "/readyz";
/** Prometheus text exposition, on the metrics port. */
export const METRICS_PATH = "/metrics";

/** The `message` of the first JSON line a service writes once both ports accept connections. */
export const LISTENING_MESSAGE = "listening";

/** Shutdown bounds in production: /readyz fails for the drain delay, the whole shutdown ends within the timeout. */
export const SHUTDOWN = {
  /** SHUTDOWN_DRAIN_DELAY_MS with NODE_ENV=production (0 elsewhere). */
  productionDrainDelayMs: 5000,
  /** SHUTDOWN_TIMEOUT_MS default; the platform's terminationGracePeriodSeconds is derived from it. */
  timeoutMs: 25_000,
} as const;

/** How a variable's value is written (the apps' env.ts parse it; docs/runtime-contract.md describes it). */
export type EnvKind =
  "port" | "string" | "url" | "boolean" | "integer" | "milliseconds" | "seconds" | "size" | "json" | "enum";

export interface EnvVariable {
  readonly kind: EnvKind;
  /** A secret: the platform passes it from a Kubernetes Secret, never as a plain value. */
  readonly secret?: true;
}

/** What every service reads. */
export const SERVICE_ENV = {
  NODE_ENV: { kind: "enum" },
  HOST: { kind: "string" },
  PORT: { kind: "port" },
  METRICS_PORT: { kind: "port" },
  LOG_LEVEL: { kind: "enum" },
  MONGODB_URI: { kind: "url", secret: true },
  MONGODB_DB: { kind: "string" },
  SHUTDOWN_DRAIN_DELAY_MS: { kind: "milliseconds" },
  SHUTDOWN_TIMEOUT_MS: { kind: "milliseconds" },
  BODY_LIMIT: { kind: "size" },
  JWT_ISSUER: { kind: "url" },
  JWT_AUDIENCE: { kind: "string" },
  TRUST_PROXY: { kind: "string" },
  FERRETDB_WORKAROUNDS: { kind: "boolean" },
  SERVICE_VERSION: { kind: "string" },
} as const satisfies Record<string, EnvVariable>;

/** What the service that issues access tokens reads in addition (`"tokens": "issuer"` in the catalogue). */
export const ISSUER_ENV = {
  JWT_SIGNING_KEYS: { kind: "json", secret: true },
  ACCESS_TOKEN_TTL_SECONDS: { kind: "seconds" },
  REFRESH_TOKEN_TTL_SECONDS: { kind: "seconds" },
  SESSION_MAX_AGE_SECONDS: { kind: "seconds" },
  LOGIN_MAX_ATTEMPTS: { kind: "integer" },
  LOGIN_MAX_ATTEMPTS_PER_IP: { kind: "integer" },
  LOGIN_WINDOW_SECONDS: { kind: "seconds" },
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: { kind: "integer" },
  LOGIN_ACCOUNT_WINDOW_SECONDS: { kind: "seconds" },
  REGISTER_MAX_PER_IP: { kind: "integer" },
  REGISTER_WINDOW_SECONDS: { kind: "seconds" },
  ARGON2_MEMORY_KIB: { kind: "integer" },
  ARGON2_TIME_COST: { kind: "integer" },
  ARGON2_PARALLELISM: { kind: "integer" },
} as const satisfies Record<string, EnvVariable>;

/** What a service that verifies access tokens reads in addition (`"tokens": "verifier"`). */
export const VERIFIER_ENV = {
  JWKS_URL: { kind: "url" },
} as const satisfies Record<string, EnvVariable>;

export type ServiceEnvName = keyof typeof SERVICE_ENV;
export type IssuerEnvName = keyof typeof ISSUER_ENV;
export type VerifierEnvName = keyof typeof VERIFIER_ENV;
/** Any variable a service of the catalogue reads: a manifest's environment is typed by it. */
export type EnvName = ServiceEnvName | IssuerEnvName | VerifierEnvName;
/** A service's plain (non-secret) environment, as a manifest sets it. */
export type ServiceEnvironment<V = string> = Partial<Record<EnvName, V>>;

/** The variables a service with this token role reads. */
export function envVariables(tokens: "issuer" | "verifier" | "none"): Readonly<Record<string, EnvVariable>> {
  if (tokens === "issuer") return { ...SERVICE_ENV, ...ISSUER_ENV };
  if (tokens === "verifier") return { ...SERVICE_ENV, ...VERIFIER_ENV };
  return SERVICE_ENV;
}
