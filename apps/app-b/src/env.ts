import { serviceEntry } from "@platform/contract";
import { packageVersion, parseEnv, positiveInt, serviceConfig, serviceEnvShape } from "@platform/shared";
import type { ServiceConfig } from "@platform/shared";
import { z } from "zod";
import type { LoginLimits } from "./domain/login-throttle.js";
import type { RegistrationLimits } from "./domain/registration-throttle.js";

/** app-b's catalogue entry (packages/contract/src/services.json): its ports, database and token role. */
export const SERVICE = serviceEntry("app-b");

/**
 * app-b's configuration: the only place that reads process.env. Parsed once at start-up; a bad value stops the
 * process with a message naming the variable. Defaults that only make sense on a laptop are refused in
 * production, where those variables must be set explicitly.
 */
const DEV_DEFAULTS = {
  MONGODB_URI: "mongodb://127.0.0.1:27017",
  JWT_ISSUER: "http://localhost:3001",
  TRUST_PROXY: "loopback",
} as const;

/** OWASP Password Storage Cheat Sheet minimum for Argon2id: 19 MiB, 2 iterations, 1 lane. Only upwards. */
export const ARGON2_MINIMUM = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 } as const;

const SigningKeyInput = z.strictObject({
  kid: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "kid must be 1-64 characters of A-Z a-z 0-9 . _ -"),
  privateKeyPem: z.string().includes("PRIVATE KEY", { message: "expected a PKCS#8 PEM private key" }),
});
export type SigningKeyInput = z.infer<typeof SigningKeyInput>;

const signingKeys = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: 'expected a JSON array [{"kid":"...","privateKeyPem":"..."}]',
      });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(SigningKeyInput)
      .min(1, "expected at least one key")
      .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, "kids must be unique"),
  );

const atLeast = (minimum: number) =>
  positiveInt().refine((n) => n >= minimum, `must be at least ${minimum} (OWASP minimum)`);

export const EnvSchema = z
  .object({
    ...serviceEnvShape({ port: SERVICE.port, metricsPort: SERVICE.metricsPort, database: SERVICE.database }),
    JWT_SIGNING_KEYS: signingKeys.optional(),
    ACCESS_TOKEN_TTL_SECONDS: positiveInt().default(900),
    REFRESH_TOKEN_TTL_SECONDS: positiveInt().default(2_592_000),
    SESSION_MAX_AGE_SECONDS: positiveInt().default(2_592_000),
    LOGIN_MAX_ATTEMPTS: positiveInt().default(5),
    LOGIN_WINDOW_SECONDS: positiveInt().default(900),
    LOGIN_MAX_ATTEMPTS_PER_IP: positiveInt().default(50),
    // OWASP ASVS 2.2.1: at most 100 failed attempts per account per hour, whoever makes them.
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: positiveInt().default(100),
    LOGIN_ACCOUNT_WINDOW_SECONDS: positiveInt().default(3600),
    REGISTER_MAX_PER_IP: positiveInt().default(20),
    REGISTER_WINDOW_SECONDS: positiveInt().default(600),
    ARGON2_MEMORY_KIB: atLeast(ARGON2_MINIMUM.memoryKiB).default(ARGON2_MINIMUM.memoryKiB),
    ARGON2_TIME_COST: atLeast(ARGON2_MINIMUM.timeCost).default(ARGON2_MINIMUM.timeCost),
    ARGON2_PARALLELISM: atLeast(ARGON2_MINIMUM.parallelism).default(ARGON2_MINIMUM.parallelism),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const name of [...Object.keys(DEV_DEFAULTS), "JWT_SIGNING_KEYS"] as const) {
      if (env[name as keyof typeof env] === undefined) {
        const message =
          name === "JWT_SIGNING_KEYS"
            ? "required when NODE_ENV=production (a JSON array of Ed25519 PKCS#8 keys; see apps/app-b/README.md)"
            : "required when NODE_ENV=production";
        ctx.addIssue({ code: "custom", path: [name], message });
      }
    }
  });

export interface Config extends ServiceConfig {
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    /** Undefined outside production means "generate a key at start-up". */
    readonly signingKeys: readonly SigningKeyInput[] | undefined;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    /** Absolute lifetime of a login's refresh-token family: after it, the user logs in again. */
    readonly sessionMaxAgeSeconds: number;
  };
  readonly login: LoginLimits;
  readonly registration: RegistrationLimits;
  readonly argon2: { readonly memoryKiB: number; readonly timeCost: number; readonly parallelism: number };
}

/** Throws shared's ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = parseEnv(EnvSchema, env);
  return {
    ...serviceConfig(parsed, DEV_DEFAULTS, packageVersion(new URL("../package.json", import.meta.url))),
    jwt: {
      issuer: parsed.JWT_ISSUER ?? DEV_DEFAULTS.JWT_ISSUER,
      audience: parsed.JWT_AUDIENCE,
      signingKeys: parsed.JWT_SIGNING_KEYS,
      accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: parsed.REFRESH_TOKEN_TTL_SECONDS,
      sessionMaxAgeSeconds: parsed.SESSION_MAX_AGE_SECONDS,
    },
    login: {
      maxAttemptsPerAccountAndAddress: parsed.LOGIN_MAX_ATTEMPTS,
      maxAttemptsPerAddress: parsed.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: parsed.LOGIN_WINDOW_SECONDS,
      maxAttemptsPerAccount: parsed.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      accountWindowSeconds: parsed.LOGIN_ACCOUNT_WINDOW_SECONDS,
    },
    registration: {
      maxPerAddress: parsed.REGISTER_MAX_PER_IP,
      windowSeconds: parsed.REGISTER_WINDOW_SECONDS,
    },
    argon2: {
      memoryKiB: parsed.ARGON2_MEMORY_KIB,
      timeCost: parsed.ARGON2_TIME_COST,
      parallelism: parsed.ARGON2_PARALLELISM,
    },
  };
}
