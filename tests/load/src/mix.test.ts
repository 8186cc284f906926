import { describe, expect, it } from "vitest";
import { DEFAULT_MIX, OPS, opPicker, parseMix, seededRandom } from "./mix.js";
import type { Op } from "./mix.js";

describe("operation mix", () => {
  it("when 100,000 operations are picked from the default mix, then each op's share is its weight's share", () => {
    const pick = opPicker(DEFAULT_MIX, seededRandom(7));
    const counts = new Map<Op, number>();
    for (let i = 0; i < 100_000; i++) {
      const op = pick();
      counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    const total = Object.values(DEFAULT_MIX).reduce((a, b) => a + b, 0);
    for (const op of OPS) {
      expect((counts.get(op) ?? 0) / 100_000).toBeCloseTo(DEFAULT_MIX[op] / total, 2);
    }
  });

  it("when an operation has weight 0, then it is never picked", () => {
    const pick = opPicker({ get: 1, login: 0 }, seededRandom(1));
    for (let i = 0; i < 1000; i++) expect(pick()).toBe("get");
  });

  it("when the same seed is used twice, then the same sequence comes out", () => {
    const a = opPicker(DEFAULT_MIX, seededRandom(42));
    const b = opPicker(DEFAULT_MIX, seededRandom(42));
    expect(Array.from({ length: 50 }, a)).toEqual(Array.from({ length: 50 }, b));
  });

  it("when a mix is all zeros, negative or names an unknown op, then it is refused", () => {
    expect(() => opPicker({ get: 0 }, Math.random)).toThrow(/positive weight/);
    expect(() => opPicker({ get: -1 }, Math.random)).toThrow(/>= 0/);
    expect(() => parseMix("get=1,put=2")).toThrow(/unknown operation in --mix: put/);
  });

  it("when --mix names some ops, then those get their weights", () => {
    expect(parseMix("get=40, login=2")).toEqual({ get: 40, login: 2 });
  });
});
