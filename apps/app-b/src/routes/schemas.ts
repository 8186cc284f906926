import { z } from "zod";
import { isCommonPassword } from "../domain/password-policy.js";
import type { TokenPair } from "../domain/tokens.js";
import type { Credentials, User } from "../domain/user.js";

/**
 * The auth API's request and response schemas and the account's HTTP view. Routes validate with them and
 * /openapi.json is generated from them. Request objects are strict: unknown fields are a 400.
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Trimmed and lower-cased before validation, so "A@x.io " and "a@x.io" are one account. */
export const Email = z
  .string()
  .max(254)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email({ error: "expected an email address" }))
  // The transform hides the email check from the document: state it, so clients and fuzzers send addresses.
  .meta({
    description: "Email address; compared case-insensitively.",
    example: "ada@example.com",
    format: "email",
  });

/**
 * NIST SP 800-63B style: length is what matters (12-128 characters, counted in code points), no composition rules,
 * and none of the most common passwords (domain/password-policy.ts).
 * The upper bound keeps a single hash cheap enough that long inputs cannot be used to exhaust CPU.
 */
const codePoints = (value: string): number => Array.from(value).length;

export const NewPassword = z
  .string()
  .refine((p) => codePoints(p) >= PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((p) => codePoints(p) <= PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => p.trim().length > 0, "must not be only whitespace")
  .refine((p) => !isCommonPassword(p), "is a common password (on a list attackers try first); choose another")
  .meta({
    description: `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters, not one of the most common passwords.`,
    example: "correct horse battery",
    // The refinements are invisible to the document; JSON Schema counts code points too, so these match exactly.
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
  });

/** Login accepts any password up to the maximum: policy applies at registration, not when checking. */
const AnyPassword = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 4);

const RefreshTokenValue = z
  .string()
  .min(1)
  .max(512)
  .meta({ description: "The opaque refresh token from login or refresh." });

export const RegisterBody = z
  .strictObject({ email: Email, password: NewPassword })
  .meta({ id: "RegisterRequest" });
export const LoginBody = z.strictObject({ email: Email, password: AnyPassword }).meta({ id: "LoginRequest" });
export const RefreshBody = z.strictObject({ refreshToken: RefreshTokenValue }).meta({ id: "RefreshRequest" });
export const DeleteAccountBody = z
  .strictObject({
    password: AnyPassword.meta({ description: "The account's current password, to confirm." }),
  })
  .meta({ id: "DeleteAccountRequest" });
export const LogoutBody = z.strictObject({ refreshToken: RefreshTokenValue }).meta({ id: "LogoutRequest" });

// What the schemas parse to is what the domain takes: a schema that drifts from the domain's types fails to build.
RegisterBody satisfies z.ZodType<Credentials>;
LoginBody satisfies z.ZodType<Credentials>;

export const UserResponse = z
  .object({
    id: z.string().meta({ example: "3f1c1c5e-6a8e-4f0e-9a53-4b7c2f1d9e10" }),
    email: z.string().meta({ example: "ada@example.com" }),
    createdAt: z.iso.datetime().meta({ example: "2025-01-01T12:00:00.000Z" }),
  })
  .meta({ id: "User" });

export const TokenResponse = z
  .object({
    accessToken: z.string().meta({ description: "EdDSA JWT; send as `Authorization: Bearer <token>`." }),
    refreshToken: z
      .string()
      .meta({ description: "Single-use; exchange at /v1/auth/refresh for a new pair." }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.int().meta({ description: "Access token lifetime in seconds.", example: 900 }),
  })
  .meta({ id: "TokenPair" });

export const JwksResponse = z
  .object({
    keys: z.array(
      z.object({
        kty: z.string(),
        crv: z.string(),
        x: z.string(),
        kid: z.string(),
        alg: z.string(),
        use: z.string(),
      }),
    ),
  })
  .meta({ id: "JSONWebKeySet" });

export type UserView = z.infer<typeof UserResponse>;
TokenResponse satisfies z.ZodType<TokenPair>;

/** An account as the API shows it: no password hash, no scopes, the date as an ISO string. */
export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() };
}
