import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./passwords.js";

const minimum = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 };

describe("createPasswordHasher", () => {
  it("when hashing, then Argon2id with the configured parameters, and only the right password verifies", async () => {
    const hasher = await createPasswordHasher(minimum);
    const encoded = await hasher.hash("correct horse battery");
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(encoded, "correct horse battery")).toBe(true);
    expect(await hasher.verify(encoded, "correct horse batterY")).toBe(false);
  });

  it("when there is no stored hash (unknown user), then verify is false", async () => {
    const hasher = await createPasswordHasher(minimum);
    expect(await hasher.verify(undefined, "anything at all")).toBe(false);
  });

  it("when the stored hash is malformed, then verify is false rather than an error", async () => {
    const hasher = await createPasswordHasher(minimum);
    expect(await hasher.verify("$argon2id$garbage", "anything at all")).toBe(false);
  });

  it("when parameters were raised, then older hashes need a rehash and current ones do not", async () => {
    const old = await (await createPasswordHasher(minimum)).hash("pw pw pw pw pw");
    const stronger = await createPasswordHasher({ ...minimum, timeCost: 3 });
    expect(stronger.needsRehash(old)).toBe(true);
    expect(stronger.needsRehash(await stronger.hash("pw pw pw pw pw"))).toBe(false);
    expect(stronger.needsRehash("not a hash")).toBe(true);
  });
});
