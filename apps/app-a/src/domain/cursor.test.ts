import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.js";

const id = "665f1c2e8b3f4a0012345678";

describe("page cursors", () => {
  it("when a cursor is encoded, then decoding it gives back the same position", () => {
    expect(decodeCursor(encodeCursor({ afterId: id }))).toEqual({ afterId: id });
  });

  it("when a cursor is encoded, then it is URL-safe text without padding", () => {
    expect(encodeCursor({ afterId: id })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ["empty text", ""],
    ["not base64url", "abc$def"],
    ["base64 of non-JSON", Buffer.from("not json").toString("base64url")],
    ["JSON that is not an object", Buffer.from("42").toString("base64url")],
    ["JSON null", Buffer.from("null").toString("base64url")],
    ["an unknown format version", Buffer.from(JSON.stringify({ v: 2, id })).toString("base64url")],
    ["a missing id", Buffer.from(JSON.stringify({ v: 1 })).toString("base64url")],
    ["an id that is not an ObjectId", Buffer.from(JSON.stringify({ v: 1, id: "x" })).toString("base64url")],
    [
      "an id that is an operator object",
      Buffer.from(JSON.stringify({ v: 1, id: { $gt: "" } })).toString("base64url"),
    ],
    ["text longer than any real cursor", "A".repeat(201)],
  ])("when the cursor is %s, then it is rejected", (_what, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
