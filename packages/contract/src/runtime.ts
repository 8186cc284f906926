/**
 * The runtime contract every service keeps (docs/runtime-contract.md): the paths, the start-up line, the shutdown
 * bounds and the environment variables. Apps, devkit, the tests, bench and infra import these values instead of
 * writing them again.
 */

/** Liveness: the process answers. */
export const HEALTH_PATH = "/healthz";
/** Readiness: the service can do useful work (its database answers, its indexes exist). */
export const READINESS_PATH = "/readyz";
/** The token issuer's public keys (JWKS); verifiers read them at JWKS_URL. */
export const JWKS_PATH = "/.well-known/jwks.json";
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
  /** Must be set with NODE_ENV=production: its default only makes sense on a developer machine. */
  readonly production?: true;
  /** The default as docs/runtime-contract.md shows it (Markdown); the apps' env.ts implement it. */
  readonly default: string;
  /** What it means (Markdown): docs/runtime-contract.md's tables are generated from it (`pnpm generate`). */
  readonly meaning: string;
}

/** What every service reads. */
export const SERVICE_ENV = {
  NODE_ENV: { kind: "enum", default: "`development`", meaning: "`development`, `test` or `production`" },
  HOST: { kind: "string", default: "`0.0.0.0`", meaning: "address both ports bind to" },
  PORT: {
    kind: "port",
    default: "its catalogue entry's `port`",
    meaning: "API port; `0` = any free port (the [listening line](#the-listening-line) reports it)",
  },
  METRICS_PORT: {
    kind: "port",
    default: "its catalogue entry's `metricsPort`",
    meaning: "Prometheus port; `0` = any free port",
  },
  LOG_LEVEL: {
    kind: "enum",
    default: "`info`",
    meaning: "`fatal` `error` `warn` `info` `debug` `trace` `silent`; harnesses need `info` or lower",
  },
  MONGODB_URI: {
    kind: "url",
    secret: true,
    production: true,
    default: "`mongodb://127.0.0.1:27017`",
    meaning: "`mongodb://` or `mongodb+srv://` connection string",
  },
  MONGODB_DB: { kind: "string", default: "its catalogue entry's `database`", meaning: "database name" },
  SHUTDOWN_DRAIN_DELAY_MS: {
    kind: "milliseconds",
    default: `\`0\`; \`${SHUTDOWN.productionDrainDelayMs}\` in production`,
    meaning: "how long `/readyz` fails after SIGTERM before the servers stop accepting",
  },
  SHUTDOWN_TIMEOUT_MS: {
    kind: "milliseconds",
    default: `\`${SHUTDOWN.timeoutMs}\``,
    meaning: "hard limit for the whole shutdown; then exit 1",
  },
  BODY_LIMIT: {
    kind: "size",
    default: "`100kb`",
    meaning: "largest JSON body (`b`, `kb`, `mb`); larger is a 413",
  },
  JWT_ISSUER: {
    kind: "url",
    production: true,
    default: "`http://localhost:3001`",
    meaning: "the issuer: `iss` of issued tokens; a verifier: the `iss` it accepts (must equal the issuer's)",
  },
  JWT_AUDIENCE: {
    kind: "string",
    default: "`jobs-api`",
    meaning: "the issuer: `aud` of issued tokens; a verifier: the `aud` it accepts",
  },
  TRUST_PROXY: {
    kind: "string",
    production: true,
    default: "`loopback`",
    meaning: "Express `trust proxy`: `true`, `false`, a hop count, or addresses/subnets",
  },
  FERRETDB_WORKAROUNDS: {
    kind: "boolean",
    default: "`true`",
    meaning:
      "`false` where the server is MongoDB: turns off the workarounds that cost there ([decisions](decisions/README.md)); the platform sets it from its `ferretdbWorkarounds` config (`false` with the operator's MongoDB)",
  },
  SERVICE_VERSION: {
    kind: "string",
    default: "`version` of the service's package.json",
    meaning: "the version the service reports ([version](#version)); `[0-9A-Za-z][0-9A-Za-z._+-]{0,63}`",
  },
} as const satisfies Record<string, EnvVariable>;

/** What the service that issues access tokens reads in addition (`"tokens": "issuer"` in the catalogue). */
export const ISSUER_ENV = {
  JWT_SIGNING_KEYS: {
    kind: "json",
    secret: true,
    production: true,
    default: "generated at each start outside production",
    meaning:
      'JSON `[{"kid":"...","privateKeyPem":"-----BEGIN PRIVATE KEY-----..."}]`, Ed25519 PKCS#8; first signs, all are published',
  },
  ACCESS_TOKEN_TTL_SECONDS: { kind: "seconds", default: "`900`", meaning: "access token lifetime" },
  REFRESH_TOKEN_TTL_SECONDS: {
    kind: "seconds",
    default: "`2592000`",
    meaning: "refresh token lifetime (30 days)",
  },
  SESSION_MAX_AGE_SECONDS: {
    kind: "seconds",
    default: "`2592000`",
    meaning: "absolute lifetime of a login (its refresh-token family, 30 days): refreshing never extends it",
  },
  LOGIN_MAX_ATTEMPTS: {
    kind: "integer",
    default: "`5`",
    meaning: "failed logins per account and client address (IPv4, or IPv6 /64) per `LOGIN_WINDOW_SECONDS`",
  },
  LOGIN_MAX_ATTEMPTS_PER_IP: {
    kind: "integer",
    default: "`50`",
    meaning: "failed logins per client address per `LOGIN_WINDOW_SECONDS`",
  },
  LOGIN_WINDOW_SECONDS: { kind: "seconds", default: "`900`", meaning: "window of the two counters above" },
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: {
    kind: "integer",
    default: "`100`",
    meaning:
      "failed logins per account from all clients per `LOGIN_ACCOUNT_WINDOW_SECONDS` (OWASP ASVS: at most 100 an hour)",
  },
  LOGIN_ACCOUNT_WINDOW_SECONDS: {
    kind: "seconds",
    default: "`3600`",
    meaning: "window of the per-account counter",
  },
  REGISTER_MAX_PER_IP: {
    kind: "integer",
    default: "`20`",
    meaning:
      "registrations per client address (IPv4, or IPv6 /64) per `REGISTER_WINDOW_SECONDS`; devkit's harnesses lift it",
  },
  REGISTER_WINDOW_SECONDS: {
    kind: "seconds",
    default: "`600`",
    meaning: "window of the registration counter",
  },
  ARGON2_MEMORY_KIB: {
    kind: "integer",
    default: "`19456`",
    meaning: "Argon2id memory; never below OWASP's minimum (19456)",
  },
  ARGON2_TIME_COST: { kind: "integer", default: "`2`", meaning: "Argon2id iterations (minimum 2)" },
  ARGON2_PARALLELISM: { kind: "integer", default: "`1`", meaning: "Argon2id lanes (minimum 1)" },
} as const satisfies Record<string, EnvVariable>;

/** What a service that verifies access tokens reads in addition (`"tokens": "verifier"`). */
export const VERIFIER_ENV = {
  JWKS_URL: {
    kind: "url",
    production: true,
    default: "`http://127.0.0.1:3001/.well-known/jwks.json`",
    meaning: "the issuer's key set (its cluster-internal URL in production)",
  },
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
