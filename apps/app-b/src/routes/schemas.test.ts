import { describe, expect, it } from "vitest";
import { LoginBody, RegisterBody } from "./schemas.js";

describe("RegisterBody", () => {
  it("when the email has spaces and capitals, then it is normalised", () => {
    const parsed = RegisterBody.parse({
      email: "  Ada.Lovelace@Example.COM ",
      password: "correct horse battery",
    });
    expect(parsed.email).toBe("ada.lovelace@example.com");
  });

  it.each([
    ["11 characters", "a".repeat(11), false],
    ["12 characters", "a".repeat(12), true],
    ["128 characters", "a".repeat(128), true],
    ["129 characters", "a".repeat(129), false],
    ["12 emoji (counted as characters, not UTF-16 units)", "🔑".repeat(12), true],
    ["whitespace only", " ".repeat(16), false],
  ])("when the password is %s, then valid is %s", (_case, password, ok) => {
    expect(RegisterBody.safeParse({ email: "a@example.com", password }).success).toBe(ok);
  });

  it("when an unknown field is present, then it is rejected", () => {
    expect(
      RegisterBody.safeParse({ email: "a@example.com", password: "a".repeat(12), role: "admin" }).success,
    ).toBe(false);
  });
});

describe("LoginBody", () => {
  it("when the password is short, then login still accepts it (policy applies at registration only)", () => {
    expect(LoginBody.safeParse({ email: "a@example.com", password: "old" }).success).toBe(true);
  });
});
