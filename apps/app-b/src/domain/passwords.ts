import { randomBytes } from "node:crypto";
import { hash, parseOptions, verify } from "@node-rs/argon2";

export interface Argon2Params {
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** Hashing and checking passwords with Argon2id (memory-hard: GPU and ASIC cracking stay expensive). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `encoded`, or against a dummy hash when `encoded` is undefined (unknown user), so
   * both cases cost one full Argon2 verification and take about the same time.
   */
  verify(encoded: string | undefined, password: string): Promise<boolean>;
  /** True when `encoded` was made with weaker parameters than the current ones and should be replaced. */
  needsRehash(encoded: string): boolean;
}

export async function createPasswordHasher(params: Argon2Params): Promise<PasswordHasher> {
  // No `algorithm`: the library's default is Argon2id, and its Algorithm is an ambient const enum that
  // verbatimModuleSyntax cannot reference. The check below makes sure the default really is Argon2id.
  const options = {
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const dummy = await hash(randomBytes(32).toString("base64url"), options);
  if (!dummy.startsWith("$argon2id$"))
    throw new Error(`expected Argon2id hashes, got ${dummy.split("$")[1] ?? "?"}`);
  const argon2id = parseOptions(dummy).algorithm;
  return {
    hash: (password) => hash(password, options),
    verify: async (encoded, password) => {
      // The argon2 library compares digests in constant time; a malformed stored hash counts as a mismatch.
      const matches = await verify(encoded ?? dummy, password).catch(() => false);
      return encoded !== undefined && matches;
    },
    needsRehash: (encoded) => {
      try {
        const current = parseOptions(encoded);
        return (
          current.algorithm !== argon2id ||
          current.memoryCost < params.memoryKiB ||
          current.timeCost < params.timeCost ||
          current.parallelism < params.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
