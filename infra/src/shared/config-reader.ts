/**
 * What both layers' typed config modules share: a narrow source interface, a reader that collects every problem
 * (so a wrong stack file is fixed in one round) and the error type. Imports only `@pulumi/pulumi`, so the platform
 * layer can use it without pulling in a cloud provider.
 */
import * as pulumi from "@pulumi/pulumi";

/** Raised for every invalid stack configuration; the message lists every bad key. */
export class ConfigValidationError extends pulumi.RunError {}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;
export const DNS_NAME = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;
export const CRON = /^(\S+\s+){4}\S+$/;

/** True for a well-formed IPv4 CIDR. */
export function isCidr(value: string): boolean {
  const m = CIDR.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
}

/**
 * Reads values through a narrow interface so tests can feed plain objects and the program feeds Pulumi's config.
 * Everything is read as a string and parsed here: one code path, one set of error messages.
 */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/**
 * The stack's config as a {@link ConfigSource}. Secret keys are read as plain strings too (decrypted by the
 * engine), so one parser validates everything before any resource exists; the layer's program wraps every secret
 * value in `pulumi.secret` before it reaches a resource or an output.
 */
export function pulumiConfigSource(): ConfigSource {
  const cfg = new pulumi.Config();
  return { get: (key) => cfg.get(key) };
}

/** Collects values and errors; `keys` records every key read (the Pulumi.yaml declaration test uses it). */
export class Reader {
  readonly errors: string[] = [];
  readonly keys = new Set<string>();
  /** Keys that must be set with `pulumi config set --secret`. */
  readonly secretKeys = new Set<string>();

  /**
   * @param setCommand how a user sets a key, for "required" messages (`pulumi config set --path` for keys inside
   * an object such as `services.<name>.image`).
   */
  constructor(
    readonly source: ConfigSource,
    private readonly setCommand = "pulumi config set",
  ) {}

  /** True when the key has a non-empty value (records the key). */
  has(key: string): boolean {
    this.keys.add(key);
    const value = this.source.get(key);
    return value !== undefined && value !== "";
  }

  string(key: string, fallback?: string): string {
    this.keys.add(key);
    const value = this.source.get(key) ?? fallback;
    if (value === undefined || value === "") {
      if (fallback === undefined)
        this.errors.push(`${key}: required, set it with \`${this.setCommand} ${key} <value>\``);
      return fallback ?? "";
    }
    return value;
  }

  /** An optional value: undefined when unset or empty. */
  optional(key: string): string | undefined {
    this.keys.add(key);
    const value = this.source.get(key);
    return value === undefined || value === "" ? undefined : value;
  }

  /** An optional secret value (declared secret; `pulumi config set --secret`). */
  secret(key: string): string | undefined {
    this.secretKeys.add(key);
    return this.optional(key);
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const raw = this.string(key, String(fallback));
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.errors.push(`${key}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.string(key, String(fallback));
    if (raw !== "true" && raw !== "false") {
      this.errors.push(`${key}: expected true or false, got "${raw}"`);
      return fallback;
    }
    return raw === "true";
  }

  matching(key: string, pattern: RegExp, what: string, fallback?: string): string {
    const value = this.string(key, fallback);
    if (value !== "" && !pattern.test(value)) this.errors.push(`${key}: expected ${what}, got "${value}"`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(value)) {
      this.errors.push(`${key}: expected one of ${allowed.join(", ")}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  cidr(key: string, fallback: string): string {
    const value = this.string(key, fallback);
    if (!isCidr(value)) this.errors.push(`${key}: expected an IPv4 CIDR such as 10.0.0.0/20, got "${value}"`);
    return value;
  }

  /** Arrays come from Pulumi as a JSON string (`pulumi config set --path 'key[0]' ...` or a YAML list). */
  stringArray(key: string, fallback: readonly string[] = []): string[] {
    const raw = this.string(key, JSON.stringify(fallback));
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return parsed;
    } catch {
      // Reported below with the offending value.
    }
    this.errors.push(`${key}: expected a list of strings, got ${raw}`);
    return [...fallback];
  }

  cidrArray(key: string, fallback: readonly string[] = []): string[] {
    const list = this.stringArray(key, fallback);
    for (const cidr of list) if (!isCidr(cidr)) this.errors.push(`${key}: "${cidr}" is not an IPv4 CIDR`);
    return list;
  }

  /**
   * An object value (YAML map in the stack file, `pulumi config set --path 'key.field' ...`): undefined when unset.
   * Pulumi hands structured config over as a JSON string.
   */
  object(key: string): Record<string, unknown> | undefined {
    const raw = this.optional(key);
    if (raw === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Reported below without the value (it may be a secret).
    }
    this.errors.push(`${key}: expected an object (a YAML map in the stack file)`);
    return undefined;
  }

  /** An object of secret values, e.g. one password per service. */
  secretObject(key: string): Record<string, unknown> | undefined {
    this.secretKeys.add(key);
    return this.object(key);
  }

  /** Throws one {@link ConfigValidationError} listing every problem, if there is any. */
  finish(stack: string, layer: string): void {
    if (this.errors.length > 0) {
      throw new ConfigValidationError(
        `invalid ${layer} configuration for stack "${stack}":\n  - ${this.errors.join("\n  - ")}`,
      );
    }
  }
}
