import { describe, expect, it } from "vitest";
import { findMongoOperatorKey } from "./mongo-operators.js";

describe("findMongoOperatorKey", () => {
  it.each([
    [{ email: { $gt: "" } }, "email.$gt"],
    [{ $where: "1" }, "$where"],
    [{ a: [{ b: 1 }, { c: { $ne: null } }] }, "a.1.c.$ne"],
    [[{ $or: [] }], "0.$or"],
  ])("when the body is %j, then it reports %s", (body, path) => {
    expect(findMongoOperatorKey(body)).toBe(path);
  });

  it.each([[{ email: "$gt" }], [{ a: ["$x"] }], ["$gt"], [null], [undefined], [{ a$: 1 }]])(
    "when %j has no operator keys, then nothing is reported",
    (body) => {
      expect(findMongoOperatorKey(body)).toBeUndefined();
    },
  );

  it("when the body is nested very deeply, then it does not overflow the stack", () => {
    let body: unknown = { $gt: 1 };
    for (let i = 0; i < 100_000; i++) body = { a: body };
    expect(findMongoOperatorKey(body)).toMatch(/\.\$gt$/);
  });
});
