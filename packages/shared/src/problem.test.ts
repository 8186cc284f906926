import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./errors.js";
import { problemDocument, toAppError } from "./problem.js";

/** The shape express.json gives its errors (http-errors with a `type`). */
function bodyParserError(type: string, status: number): Error {
  return Object.assign(new Error(type), { type, status, statusCode: status, expose: true });
}

describe("toAppError", () => {
  it("when given an AppError, then returns it unchanged and expected", () => {
    const error = AppError.conflict("taken");
    expect(toAppError(error)).toEqual({ error, expected: true });
  });

  it("when a dependency is deliberately reported unavailable (503), then it is expected, not a bug", () => {
    const error = AppError.serviceUnavailable(5, "database down");
    expect(toAppError(error)).toEqual({ error, expected: true });
  });

  it("when a dependency's socket fails unwrapped (EPIPE), then it is a 503, not a bug", () => {
    const epipe = Object.assign(new Error("This socket has been ended by the other party"), {
      code: "EPIPE",
    });
    const { error, expected } = toAppError(epipe);
    expect(error.status).toBe(503);
    expect(expected).toBe(true);
  });

  it("when Express reports a malformed percent-encoded path, then it is a 400", () => {
    const uriError = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    const { error, expected } = toAppError(uriError);
    expect(error.status).toBe(400);
    expect(expected).toBe(true);
  });

  it("when given a zod error, then returns a 400 listing every field", () => {
    const result = z.strictObject({ a: z.string(), b: z.int() }).safeParse({ a: 1, c: true });
    expect(result.success).toBe(false);
    const { error } = toAppError(result.error);
    expect(error.status).toBe(400);
    expect((error.extras["errors"] as { path: string }[]).map((e) => e.path).sort()).toEqual(["", "a", "b"]);
  });

  it.each([
    ["entity.parse.failed", 400, 400],
    ["entity.too.large", 413, 413],
    ["charset.unsupported", 415, 415],
    ["encoding.unsupported", 415, 415],
    ["request.aborted", 400, 400],
  ])("when body-parser reports %s, then the status is %i", (type, thrownStatus, expected) => {
    const { error, expected: isExpected } = toAppError(bodyParserError(type, thrownStatus));
    expect(error.status).toBe(expected);
    expect(error.detail).toBeTypeOf("string");
    expect(isExpected).toBe(true);
  });

  it("when MongoDB cannot be reached, then it is a 503 with Retry-After, not a 500", async () => {
    const client = new MongoClient("mongodb://127.0.0.1:1/", { serverSelectionTimeoutMS: 200 });
    const failure: unknown = await client
      .db("x")
      .command({ ping: 1 })
      .catch((e: unknown) => e);
    await client.close();
    const { error } = toAppError(failure);
    expect(error.status).toBe(503);
    expect(error.headers["Retry-After"]).toBe("5");
  });

  it("when given an unknown error, then it is a 500 that hides the message", () => {
    const { error, expected } = toAppError(new Error("secret connection string"));
    expect(error.status).toBe(500);
    expect(expected).toBe(false);
    expect(JSON.stringify(problemDocument(error, "/x"))).not.toContain("secret");
  });

  it("when an exposed 4xx http-error comes from Express, then its status is kept", () => {
    const { error } = toAppError(Object.assign(new Error("bad uri"), { status: 400, expose: true }));
    expect(error.status).toBe(400);
    expect(error.title).toBe("Bad Request");
  });
});

describe("problemDocument", () => {
  it("when built, then it has the RFC 9457 members, extensions and request id", () => {
    const doc = problemDocument(AppError.badRequest("nope", [{ path: "a", message: "m" }]), "/v1/x", "req-1");
    expect(doc).toEqual({
      type: "about:blank",
      title: "Bad Request",
      status: 400,
      detail: "nope",
      instance: "/v1/x",
      requestId: "req-1",
      errors: [{ path: "a", message: "m" }],
    });
  });
});

describe("AppError constructors", () => {
  it("when too many requests, then Retry-After is a whole number of seconds of at least 1", () => {
    expect(AppError.tooManyRequests(12.2).headers["Retry-After"]).toBe("13");
    expect(AppError.tooManyRequests(0).headers["Retry-After"]).toBe("1");
  });

  it("when unauthorized, then a Bearer challenge is set", () => {
    expect(AppError.unauthorized().headers["WWW-Authenticate"]).toBe("Bearer");
    expect(AppError.unauthorized("x", "invalid_token").headers["WWW-Authenticate"]).toBe(
      'Bearer error="invalid_token"',
    );
  });
});
